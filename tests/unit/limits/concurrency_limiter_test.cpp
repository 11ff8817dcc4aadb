#include "hadrian/limits/concurrency_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace hadrian::limits {
namespace {

TEST(ConcurrencyLimiter, CapsRequestsInFlightPerSubject) {
    concurrency_limiter l;
    auto a1 = l.acquire("a", 2);
    auto a2 = l.acquire("a", 2);
    EXPECT_TRUE(a1 && a2);
    EXPECT_FALSE(l.acquire("a", 2));
    auto b1 = l.acquire("b", 2);
    EXPECT_TRUE(b1);
    EXPECT_EQ(l.in_flight("a"), 2);
    a1->release();
    auto a3 = l.acquire("a", 2);
    EXPECT_TRUE(a3);
    a2->release();
    a3->release();
    EXPECT_EQ(l.in_flight("a"), 0);
    a3->release();  // released already: nothing happens
    EXPECT_EQ(l.in_flight("a"), 0);
    EXPECT_EQ(l.in_flight("b"), 1);
    EXPECT_FALSE(l.acquire("a", 0));
}

TEST(ConcurrencyLimiter, ManySubjectsComeAndGoAroundAHeldPermit) {
    // Entries of other subjects are made and dropped (the map grows and rehashes) while a
    // permit holds its slot: it still counts its own subject.
    concurrency_limiter l;
    auto held = l.acquire("held", 1);
    ASSERT_TRUE(held);
    std::vector<concurrency_permit> many;
    for (int i = 0; i < 5'000; ++i) {
        auto p = l.acquire("s" + std::to_string(i), 1);
        ASSERT_TRUE(p);
        many.push_back(std::move(*p));
    }
    EXPECT_GE(l.entries(), 5'001U);
    many.clear();
    // Idle subjects give their entries back, but for a few per shard.
    EXPECT_LE(l.entries(), 16U * 64U + 1U);
    EXPECT_EQ(l.in_flight("held"), 1);
    EXPECT_FALSE(l.acquire("held", 1));
    held->release();
    EXPECT_EQ(l.in_flight("held"), 0);
    EXPECT_EQ(l.in_flight("s0"), 0);
}

TEST(ConcurrencyLimiter, AnIdleSubjectKeepsItsEntryWhileFewAreHeld) {
    // A key sending one request at a time neither adds nor removes an entry per request.
    concurrency_limiter l;
    for (int i = 0; i < 3; ++i) {
        auto p = l.acquire("one-at-a-time", 1);
        ASSERT_TRUE(p);
        EXPECT_EQ(l.in_flight("one-at-a-time"), 1);
    }
    EXPECT_EQ(l.in_flight("one-at-a-time"), 0);
    EXPECT_EQ(l.entries(), 1U);
    EXPECT_TRUE(l.acquire("one-at-a-time", 1));
}

TEST(ConcurrencyLimiter, PermitsReleaseOnDestructionOnce) {
    concurrency_limiter l;
    {
        auto p = l.acquire("a", 1);
        ASSERT_TRUE(p.has_value());
        EXPECT_FALSE(l.acquire("a", 1).has_value());
        concurrency_permit moved = std::move(*p);
        EXPECT_EQ(l.in_flight("a"), 1);
        moved.release();
        EXPECT_EQ(l.in_flight("a"), 0);
        auto again = l.acquire("a", 1);
        EXPECT_TRUE(again);
        EXPECT_EQ(l.in_flight("a"), 1);
    }  // `moved` was released already, `p` was moved from, `again` goes
    EXPECT_EQ(l.in_flight("a"), 0);
    {
        auto p = l.acquire("b", 1);
        EXPECT_EQ(l.in_flight("b"), 1);
    }
    EXPECT_EQ(l.in_flight("b"), 0);
}

TEST(ConcurrencyLimiter, NeverExceedsTheLimitUnderContention) {
    concurrency_limiter l;
    std::atomic<int> inside{0};
    std::atomic<int> peak{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 2'000; ++i) {
                if (auto p = l.acquire("k", 3)) {
                    const int now = inside.fetch_add(1) + 1;
                    int seen = peak.load();
                    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
                    }
                    inside.fetch_sub(1);
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_LE(peak.load(), 3);
    EXPECT_EQ(l.in_flight("k"), 0);
}

}  // namespace
}  // namespace hadrian::limits
