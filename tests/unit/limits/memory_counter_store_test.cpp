#include "hadrian/limits/memory_counter_store.hpp"

#include <gtest/gtest.h>

#include <array>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "hadrian/limits/clock.hpp"

namespace hadrian::limits {
namespace {

constexpr std::int64_t w = 60'000;
constexpr std::int64_t t0 = 1'704'067'200'000;  // 2024-01-01T00:00:00Z, aligned to minutes

class MemoryCounterStore : public ::testing::Test {
protected:
    /// One window alone (named "" in its group).
    window_state hit(std::string_view key, std::int64_t window, std::int64_t now,
                     std::int64_t amount, std::int64_t limit) {
        const window_ask ask{{}, window, amount, limit};
        window_state out;
        store_.window_hit(key, std::span(&ask, 1), now, std::span(&out, 1));
        return out;
    }
    void add(std::string_view key, std::int64_t window, std::int64_t at, std::int64_t delta,
             std::int64_t now) {
        const window_correction c{{}, window, at, delta};
        store_.window_add(key, std::span(&c, 1), now);
    }

    manual_clock clock_{t0};
    memory_counter_store store_{clock_};
};

TEST_F(MemoryCounterStore, AddCreatesAtZeroAndExpiresFromCreation) {
    EXPECT_EQ(store_.get("a"), 0);
    EXPECT_EQ(store_.add("a", 5, 1'000), 5);
    clock_.advance(600);
    EXPECT_EQ(store_.add("a", -2, 1'000), 3);  // later adds keep the first expiry
    EXPECT_EQ(store_.get("a"), 3);
    clock_.advance(400);
    EXPECT_EQ(store_.get("a"), 0);
    EXPECT_EQ(store_.add("a", 1, 1'000), 1);  // expired: starts over
}

TEST_F(MemoryCounterStore, ZeroTtlNeverExpires) {
    store_.add("forever", 1, 0);
    clock_.advance(365LL * 86'400'000);
    EXPECT_EQ(store_.get("forever"), 1);
}

TEST_F(MemoryCounterStore, ExpiredEntriesAreSwept) {
    for (int i = 0; i < 100; ++i) {
        store_.add("k" + std::to_string(i), 1, 500);
        hit("w" + std::to_string(i), w, clock_.now_ms(), 1, 10);
    }
    EXPECT_EQ(store_.size(), 200u);
    clock_.advance(1'000);
    EXPECT_EQ(store_.size(), 100u);  // the plain counters are gone
    clock_.advance(2 * w);
    EXPECT_EQ(store_.size(), 0u);  // both fixed windows are over
}

TEST_F(MemoryCounterStore, WindowHitCountsOnlyWhenAdmitted) {
    window_state s = hit("k", w, t0, 3, 5);
    EXPECT_TRUE(s.allowed);
    EXPECT_EQ(s.counts.current, 3);
    s = hit("k", w, t0 + 1, 3, 5);
    EXPECT_FALSE(s.allowed);
    EXPECT_EQ(s.counts.current, 3);
    s = hit("k", w, t0 + 2, 2, 5);
    EXPECT_TRUE(s.allowed);
    EXPECT_EQ(s.counts.current, 5);
    EXPECT_EQ(s.position.elapsed_ms, 2);
}

TEST_F(MemoryCounterStore, WindowsRollForward) {
    hit("k", w, t0, 4, 10);
    window_state s = hit("k", w, t0 + w, 0, counter_store::max_limit);
    EXPECT_EQ(s.counts.current, 0);
    EXPECT_EQ(s.counts.previous, 4);
    s = hit("k", w, t0 + 3 * w, 0, counter_store::max_limit);
    EXPECT_EQ(s.counts.current, 0);
    EXPECT_EQ(s.counts.previous, 0);
}

TEST_F(MemoryCounterStore, PeekChangesNothing) {
    hit("k", w, t0, 7, 10);
    const window_state s = hit("k", w, t0, 0, counter_store::max_limit);
    EXPECT_TRUE(s.allowed);
    EXPECT_EQ(s.counts.current, 7);
}

TEST_F(MemoryCounterStore, WindowAddTargetsTheWindowOfItsInstantAndClampsAtZero) {
    hit("k", w, t0, 5, 100);
    hit("k", w, t0 + w, 2, 100);
    add("k", w, t0, -3, t0 + w);  // the previous window
    window_state s = hit("k", w, t0 + w, 0, counter_store::max_limit);
    EXPECT_EQ(s.counts.previous, 2);
    EXPECT_EQ(s.counts.current, 2);
    add("k", w, t0 + w, -10, t0 + w);  // never below 0
    s = hit("k", w, t0 + w, 0, counter_store::max_limit);
    EXPECT_EQ(s.counts.current, 0);
    add("k", w, t0, 50, t0 + 2 * w);  // that window no longer counts
    s = hit("k", w, t0 + 2 * w, 0, counter_store::max_limit);
    EXPECT_EQ(s.counts.current, 0);
    EXPECT_EQ(s.counts.previous, 0);
}

TEST_F(MemoryCounterStore, AClockSteppedBackDoesNotReopenAWindow) {
    hit("k", w, t0 + w, 10, 10);
    const window_state s = hit("k", w, t0, 1, 10);
    EXPECT_FALSE(s.allowed);
    EXPECT_EQ(s.position.start_ms, t0 + w);
    EXPECT_EQ(s.position.elapsed_ms, 0);
}

TEST_F(MemoryCounterStore, AChangedWindowLengthStartsOver) {
    hit("k", w, t0, 10, 10);
    const window_state s = hit("k", 2 * w, t0, 1, 10);
    EXPECT_TRUE(s.allowed);
    EXPECT_EQ(s.counts.current, 1);
}

TEST_F(MemoryCounterStore, AGroupCountsAllOrNothing) {
    const std::array asks = {window_ask{"a", w, 3, 10}, window_ask{"b", w, 6, 5}};
    std::array<window_state, 2> out;
    EXPECT_FALSE(store_.window_hit("g", asks, t0, out));
    EXPECT_TRUE(out[0].allowed);  // each window's own verdict
    EXPECT_FALSE(out[1].allowed);
    EXPECT_EQ(out[0].counts.current, 0);  // and nothing counted
    EXPECT_EQ(out[1].counts.current, 0);

    const std::array fitting = {window_ask{"a", w, 3, 10}, window_ask{"b", w, 5, 5}};
    EXPECT_TRUE(store_.window_hit("g", fitting, t0 + 1, out));
    EXPECT_EQ(out[0].counts.current, 3);
    EXPECT_EQ(out[1].counts.current, 5);
    EXPECT_EQ(hit("g", w, t0 + 2, 0, counter_store::max_limit).counts.current, 0)
        << "the unnamed window of the group is a third one";
}

TEST_F(MemoryCounterStore, AGroupsWindowsAreFoundByNameAndCorrectedTogether) {
    const std::array asks = {window_ask{"minute", w, 4, 100}, window_ask{"day", 1440 * w, 4, 100}};
    std::array<window_state, 2> out;
    ASSERT_TRUE(store_.window_hit("g", asks, t0, out));
    const std::array corrections = {window_correction{"day", 1440 * w, t0, 6},
                                    window_correction{"minute", w, t0, -1}};
    store_.window_add("g", corrections, t0 + 10);
    const std::array reads = {window_ask{"day", 1440 * w, 0, counter_store::max_limit},
                              window_ask{"minute", w, 0, counter_store::max_limit}};
    ASSERT_TRUE(store_.window_hit("g", reads, t0 + 20, out));
    EXPECT_EQ(out[0].counts.current, 10);
    EXPECT_EQ(out[1].counts.current, 3);
    EXPECT_EQ(store_.size(), 1u);  // one entry for the group

    clock_.advance(2 * w);  // the minute window is over, the day window still counts
    EXPECT_EQ(store_.size(), 1u);
    clock_.advance(2 * 1440 * w);
    EXPECT_EQ(store_.size(), 0u);
}

TEST_F(MemoryCounterStore, AGroupHoldsAtMostMaxGroupWindows) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i <= memory_counter_store::max_group_windows; ++i) {
        names.push_back("n" + std::to_string(i));
    }
    std::vector<window_ask> asks;
    for (const auto& n : names) {
        asks.push_back({n, w, 1, 10});
    }
    std::vector<window_state> out(asks.size());
    EXPECT_THROW(store_.window_hit("g", asks, t0, out), std::length_error);
    const auto most = std::span(asks).first(memory_counter_store::max_group_windows);
    EXPECT_TRUE(store_.window_hit("g", most, t0, out));
    EXPECT_THROW(store_.window_hit("g", std::span(asks).last(1), t0, out), std::length_error);
    EXPECT_EQ(out[0].counts.current, 1);  // the refused call counted nothing
}

}  // namespace
}  // namespace hadrian::limits
