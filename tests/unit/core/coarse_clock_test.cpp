// The tick-resolution clocks read the same time as the precise ones, at most a tick behind.
#include "hadrian/core/coarse_clock.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace hadrian::core {
namespace {

using namespace std::chrono_literals;

// A kernel tick is 1 to 4 ms; the bound leaves room for a descheduled test thread.
constexpr auto behind_at_most = 100ms;

TEST(CoarseClock, ReadsTheSteadyClockAtMostATickBehind) {
    for (int i = 0; i < 1000; ++i) {
        const auto coarse = coarse_clock::now();
        const auto precise = std::chrono::steady_clock::now();
        ASSERT_LE(coarse, precise);
        ASSERT_LT(precise - coarse, behind_at_most);
    }
}

TEST(CoarseClock, MovesOnAndNeverBack) {
    const auto first = coarse_clock::now();
    auto last = first;
    const auto until = std::chrono::steady_clock::now() + 50ms;
    while (std::chrono::steady_clock::now() < until) {
        const auto now = coarse_clock::now();
        ASSERT_GE(now, last);
        last = now;
    }
    // 50 ms hold several ticks (of 10 ms at most).
    EXPECT_GT(last, first);
}

TEST(CoarseClock, UnixMillisecondsAreTheWallClockAtMostATickBehind) {
    const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const std::int64_t coarse = coarse_unix_ms();
    const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    EXPECT_LE(coarse, after);
    EXPECT_GT(coarse, before - behind_at_most.count());
}

}  // namespace
}  // namespace hadrian::core
