#include "hadrian/limits/concurrency_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <utility>
#include <vector>

namespace hadrian::limits {
namespace {

TEST(ConcurrencyLimiter, CapsRequestsInFlightPerSubject) {
    concurrency_limiter l;
    EXPECT_TRUE(l.try_acquire("a", 2));
    EXPECT_TRUE(l.try_acquire("a", 2));
    EXPECT_FALSE(l.try_acquire("a", 2));
    EXPECT_TRUE(l.try_acquire("b", 2));
    EXPECT_EQ(l.in_flight("a"), 2);
    l.release("a");
    EXPECT_TRUE(l.try_acquire("a", 2));
    l.release("a");
    l.release("a");
    EXPECT_EQ(l.in_flight("a"), 0);
    l.release("a");  // nothing in flight: ignored
    EXPECT_EQ(l.in_flight("a"), 0);
    EXPECT_FALSE(l.try_acquire("a", 0));
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
        EXPECT_TRUE(l.try_acquire("a", 1));
    }  // `moved` was released already; `p` was moved from
    EXPECT_EQ(l.in_flight("a"), 1);
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
