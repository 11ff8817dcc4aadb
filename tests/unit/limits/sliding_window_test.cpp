#include "hadrian/limits/sliding_window.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace hadrian::limits {
namespace {

constexpr std::int64_t w = 60'000;

TEST(WindowAt, FloorsAndAlignsToTheEpoch) {
    EXPECT_EQ(window_at(0, w).index, 0);
    const window_position p = window_at(125'000, w);
    EXPECT_EQ(p.index, 2);
    EXPECT_EQ(p.start_ms, 120'000);
    EXPECT_EQ(p.elapsed_ms, 5'000);
    const window_position n = window_at(-1, w);
    EXPECT_EQ(n.index, -1);
    EXPECT_EQ(n.start_ms, -60'000);
    EXPECT_EQ(n.elapsed_ms, 59'999);
    EXPECT_EQ(window_at(7, 0).elapsed_ms, 0);  // a zero window is treated as 1 ms
}

TEST(SlidingEstimate, WeighsThePreviousWindowByItsOverlap) {
    EXPECT_EQ(sliding_estimate({3, 0}, w, 0), 3);
    EXPECT_EQ(sliding_estimate({0, 10}, w, 0), 10);          // full overlap
    EXPECT_EQ(sliding_estimate({0, 10}, w, 30'000), 5);      // half
    EXPECT_EQ(sliding_estimate({2, 10}, w, 45'000), 2 + 3);  // 2.5 rounds up
    EXPECT_EQ(sliding_estimate({0, 10}, w, 59'999), 1);      // any overlap counts
}

TEST(SlidingEstimate, DoesNotOverflowOnHugeCounts) {
    constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
    constexpr std::int64_t big = max / 2;
    EXPECT_EQ(sliding_estimate({max, max}, 86'400'000, 0), max);  // saturated
    EXPECT_EQ(sliding_estimate({0, big}, 86'400'000, 43'200'000), big / 2 + 1);
}

TEST(SlidingAdmits, AdmitsExactlyUpToTheLimit) {
    EXPECT_TRUE(sliding_admits({9, 0}, w, 0, 1, 10));
    EXPECT_FALSE(sliding_admits({10, 0}, w, 0, 1, 10));
    EXPECT_TRUE(sliding_admits({10, 0}, w, 0, 0, 10));
    EXPECT_FALSE(sliding_admits({0, 0}, w, 0, 11, 10));
    EXPECT_FALSE(sliding_admits({0, 0}, w, 0, 1, 0));
    EXPECT_TRUE(sliding_admits({0, 0}, w, 0, -5, 0));  // negative amounts count as 0
    // Half-way through the next window, 10 previous weigh 5: five more fit.
    EXPECT_TRUE(sliding_admits({4, 10}, w, 30'000, 1, 10));
    EXPECT_FALSE(sliding_admits({5, 10}, w, 30'000, 1, 10));
}

TEST(SlidingWait, IsZeroWhenItFitsAndMinusOneWhenItNeverCan) {
    EXPECT_EQ(sliding_wait_ms({0, 0}, w, 0, 5, 10), 0);
    EXPECT_EQ(sliding_wait_ms({0, 0}, w, 0, 11, 10), -1);
}

TEST(SlidingWait, WaitsForThePreviousWeightToFade) {
    // cur 5, prev 10, at 30 s: 5 + 5 + 1 > 10. The weight must drop to 4: at 36 s.
    const std::int64_t wait = sliding_wait_ms({5, 10}, w, 30'000, 1, 10);
    EXPECT_EQ(wait, 6'000);
    EXPECT_FALSE(sliding_admits({5, 10}, w, 30'000 + wait - 1, 1, 10));
    EXPECT_TRUE(sliding_admits({5, 10}, w, 30'000 + wait, 1, 10));
}

TEST(SlidingWait, WaitsIntoTheNextWindowWhenTheCurrentOneIsFull) {
    // cur 10 at 15 s: the next window starts in 45 s, where 10 weigh fully; one fits once
    // they weigh 9, i.e. 6 s into it.
    const std::int64_t wait = sliding_wait_ms({10, 0}, w, 15'000, 1, 10);
    EXPECT_EQ(wait, 45'000 + 6'000);
    EXPECT_FALSE(sliding_admits({0, 10}, w, 5'999, 1, 10));
    EXPECT_TRUE(sliding_admits({0, 10}, w, 6'000, 1, 10));
}

TEST(SlidingWait, MatchesABruteForceSearch) {
    constexpr std::int64_t small = 100;
    for (std::int64_t cur = 0; cur <= 6; ++cur) {
        for (std::int64_t prev = 0; prev <= 6; ++prev) {
            for (std::int64_t e = 0; e < small; e += 7) {
                for (std::int64_t amount = 0; amount <= 4; ++amount) {
                    const std::int64_t limit = 5;
                    std::int64_t expected = -1;
                    if (amount <= limit) {
                        for (std::int64_t t = e; t < 3 * small; ++t) {
                            const window_counts c = t < small       ? window_counts{cur, prev}
                                                    : t < 2 * small ? window_counts{0, cur}
                                                                    : window_counts{0, 0};
                            if (sliding_admits(c, small, t % small, amount, limit)) {
                                expected = t - e;
                                break;
                            }
                        }
                    }
                    EXPECT_EQ(sliding_wait_ms({cur, prev}, small, e, amount, limit), expected)
                        << "cur " << cur << " prev " << prev << " e " << e << " amount " << amount;
                }
            }
        }
    }
}

}  // namespace
}  // namespace hadrian::limits
