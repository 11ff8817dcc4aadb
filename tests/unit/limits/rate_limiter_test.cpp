#include "hadrian/limits/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "hadrian/limits/clock.hpp"
#include "hadrian/limits/memory_counter_store.hpp"

namespace hadrian::limits {
namespace {

constexpr std::int64_t t0 = 1'704'067'200'000;  // 2024-01-01T00:00:00Z

class RateLimiter : public ::testing::Test {
protected:
    manual_clock clock_{t0};
    memory_counter_store store_{clock_};
    rate_limiter limiter_{store_, clock_};
};

TEST_F(RateLimiter, AdmitsUpToTheLimitThenDenies) {
    const limit_spec rpm = limit_spec::requests_per_minute(3);
    clock_.advance(15'000);
    for (int i = 0; i < 3; ++i) {
        const decision d = limiter_.hit("key", rpm, 1);
        EXPECT_TRUE(d.allowed);
        EXPECT_EQ(d.remaining, 2 - i);
        EXPECT_EQ(d.reset_secs, 45);
    }
    const decision d = limiter_.hit("key", rpm, 1);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.remaining, 0);
    EXPECT_EQ(d.used, 3);
    // The three weigh 3 at the next window's start and drop to 2 after 20 s of it.
    EXPECT_EQ(d.retry_after_secs, 45 + 20);
    EXPECT_TRUE(limiter_.hit("other-key", rpm, 1).allowed);  // subjects are separate
}

TEST_F(RateLimiter, ResetsOnceTheSlidingWindowHasPassed) {
    const limit_spec rpm = limit_spec::requests_per_minute(2);
    limiter_.hit("key", rpm, 1);
    limiter_.hit("key", rpm, 1);
    EXPECT_FALSE(limiter_.hit("key", rpm, 1).allowed);
    clock_.advance(2 * minute_ms);
    const decision d = limiter_.hit("key", rpm, 1);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.remaining, 1);
}

TEST_F(RateLimiter, WeighsThePreviousWindowHalfwayThroughTheNext) {
    const limit_spec rpm = limit_spec::requests_per_minute(10);
    for (int i = 0; i < 10; ++i) {
        ASSERT_TRUE(limiter_.hit("key", rpm, 1).allowed);
    }
    clock_.advance(minute_ms + 30'000);
    EXPECT_EQ(limiter_.peek("key", rpm).used, 5);
    int admitted = 0;
    while (limiter_.hit("key", rpm, 1).allowed) {
        ++admitted;
    }
    EXPECT_EQ(admitted, 5);
    const decision d = limiter_.hit("key", rpm, 1);
    EXPECT_EQ(d.retry_after_secs, 6);  // the previous ten must weigh 4: at 36 s
    clock_.advance(6'000);
    EXPECT_TRUE(limiter_.hit("key", rpm, 1).allowed);
}

TEST_F(RateLimiter, DayWindowsEndAtUtcMidnight) {
    const limit_spec rpd = limit_spec::requests_per_day(2);
    clock_.set(t0 + day_ms - 3'600'000);  // 23:00 UTC
    EXPECT_EQ(limiter_.hit("key", rpd, 1).reset_secs, 3'600);
    limiter_.hit("key", rpd, 1);
    EXPECT_FALSE(limiter_.hit("key", rpd, 1).allowed);
    clock_.set(t0 + day_ms);  // midnight: a new fixed window, yesterday still weighs fully
    const decision d = limiter_.peek("key", rpd);
    EXPECT_EQ(d.reset_secs, 86'400);
    EXPECT_EQ(d.used, 2);
    clock_.set(t0 + day_ms + day_ms / 2);  // noon: yesterday weighs half
    EXPECT_TRUE(limiter_.hit("key", rpd, 1).allowed);
    EXPECT_FALSE(limiter_.hit("key", rpd, 1).allowed);
}

TEST_F(RateLimiter, NeverAdmitsMoreThanTheLimitInAnAlignedWindow) {
    const limit_spec rpm = limit_spec::requests_per_minute(7);
    std::map<std::int64_t, int> per_window;
    std::uint64_t x = 12345;
    for (int i = 0; i < 5'000; ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        clock_.advance(static_cast<std::int64_t>((x >> 33) % 4'000));
        if (limiter_.hit("key", rpm, 1).allowed) {
            ++per_window[window_at(clock_.now_ms(), minute_ms).index];
        }
    }
    for (const auto& [index, count] : per_window) {
        EXPECT_LE(count, 7) << "window " << index;
    }
}

TEST_F(RateLimiter, ConcurrentHitsAdmitExactlyTheLimit) {
    const limit_spec rpm = limit_spec::requests_per_minute(50);
    std::atomic<int> allowed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 25; ++i) {
                if (limiter_.hit("key", rpm, 1).allowed) {
                    allowed.fetch_add(1);
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(allowed.load(), 50);
    EXPECT_EQ(limiter_.peek("key", rpm).used, 50);
}

TEST_F(RateLimiter, ARequestDeniedByALaterLimitNeverHoldsAnEarlierOne) {
    // Requests too large for the token limit run beside small ones: were their requests
    // counted and then rolled back, a small one could find the request limit full meanwhile.
    const std::array specs = {limit_spec::requests_per_minute(20),
                              limit_spec::tokens_per_minute(500)};
    std::atomic<int> small_allowed{0};
    std::atomic<int> large_allowed{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            while (!stop.load()) {
                if (limiter_.check_all("key", specs, {1, 1'000}).allowed) {
                    large_allowed.fetch_add(1);
                }
            }
        });
    }
    std::vector<std::thread> small;
    for (int t = 0; t < 4; ++t) {
        small.emplace_back([&] {
            for (int i = 0; i < 5; ++i) {
                if (limiter_.check_all("key", specs, {1, 1}).allowed) {
                    small_allowed.fetch_add(1);
                }
            }
        });
    }
    for (auto& t : small) {
        t.join();
    }
    stop = true;
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(small_allowed.load(), 20);
    EXPECT_EQ(large_allowed.load(), 0);
    EXPECT_EQ(limiter_.peek("key", specs[0]).used, 20);
    EXPECT_EQ(limiter_.peek("key", specs[1]).used, 20);
}

TEST_F(RateLimiter, CheckAllTakesAtMostMaxLimitsAndCountsNothingBeyond) {
    const auto rpm = limit_spec::requests_per_minute(10);
    const std::array<limit_spec, max_limits + 1> specs = {rpm, rpm, rpm, rpm, rpm};
    EXPECT_THROW(limiter_.check_all("key", specs, {1, 0}), std::length_error);
    EXPECT_EQ(limiter_.peek("key", rpm).used, 0);
    config::rate_limits_config every;
    every.requests_per_minute = 60;
    every.requests_per_day = 1'000;
    every.tokens_per_minute = 10'000;
    every.tokens_per_day = 100'000;
    const auto all = limit_specs(every);
    EXPECT_EQ(limiter_.check_all("key", all, {1, 5}).decisions.size(), max_limits);
}

TEST_F(RateLimiter, CheckAllCountsNothingWhenALaterLimitDenies) {
    const std::array specs = {limit_spec::requests_per_minute(10),
                              limit_spec::tokens_per_minute(1'000)};
    const check_result ok = limiter_.check_all("key", specs, {1, 600});
    ASSERT_TRUE(ok.allowed);
    EXPECT_EQ(ok.denial(), nullptr);

    const check_result denied = limiter_.check_all("key", specs, {1, 600});
    EXPECT_FALSE(denied.allowed);
    ASSERT_NE(denied.denial(), nullptr);
    EXPECT_EQ(denied.denial()->spec.name, "tokens_per_minute");
    EXPECT_EQ(denied.decisions[0].remaining, 9);  // reported without this request
    EXPECT_EQ(limiter_.peek("key", specs[0]).used, 1);
    EXPECT_EQ(limiter_.peek("key", specs[1]).used, 600);
}

TEST_F(RateLimiter, CheckAllOnlyReadsTheLimitsAfterADenial) {
    const std::array specs = {limit_spec::requests_per_minute(1),
                              limit_spec::tokens_per_minute(1'000)};
    ASSERT_TRUE(limiter_.check_all("key", specs, {1, 100}).allowed);
    const check_result denied = limiter_.check_all("key", specs, {1, 100});
    EXPECT_FALSE(denied.allowed);
    EXPECT_EQ(denied.denial(), &denied.decisions[0]);
    ASSERT_EQ(denied.decisions.size(), 2u);
    EXPECT_EQ(denied.decisions[1].used, 100);
    EXPECT_EQ(limiter_.peek("key", specs[1]).used, 100);
}

TEST_F(RateLimiter, TightestPicksTheLeastRemaining) {
    const std::array specs = {limit_spec::requests_per_minute(10), limit_spec::requests_per_day(3)};
    const check_result r = limiter_.check_all("key", specs, {1, 0});
    ASSERT_NE(r.tightest(limit_unit::requests), nullptr);
    EXPECT_EQ(r.tightest(limit_unit::requests)->spec.name, "requests_per_day");
    EXPECT_EQ(r.tightest(limit_unit::tokens), nullptr);
}

TEST_F(RateLimiter, TokenReservationsAreCorrectedDownAndUp) {
    const std::array specs = {limit_spec::tokens_per_minute(1'000),
                              limit_spec::tokens_per_day(100'000)};
    const check_result down = limiter_.check_all("key", specs, {1, 800});
    ASSERT_TRUE(down.allowed);
    limiter_.adjust_tokens("key", reserved_tokens(down), 150);
    EXPECT_EQ(limiter_.peek("key", specs[0]).used, 150);
    EXPECT_EQ(limiter_.peek("key", specs[1]).used, 150);

    const check_result up = limiter_.check_all("key", specs, {1, 100});
    ASSERT_TRUE(up.allowed);
    limiter_.adjust_tokens("key", reserved_tokens(up),
                           900);  // may go over: the tokens were really used
    EXPECT_EQ(limiter_.peek("key", specs[0]).used, 1'050);
    EXPECT_FALSE(limiter_.check_all("key", specs, {1, 0}).allowed);
}

TEST_F(RateLimiter, ReservedTokensKeepTheTokenLimitsOfAnAllowedCheck) {
    const std::array specs = {limit_spec::requests_per_minute(10),
                              limit_spec::tokens_per_minute(1'000),
                              limit_spec::tokens_per_day(100'000)};
    const check_result allowed = limiter_.check_all("key", specs, {1, 300});
    ASSERT_TRUE(allowed.allowed);
    const token_reservation reserved = reserved_tokens(allowed);
    ASSERT_EQ(reserved.size(), 2u);
    EXPECT_EQ(reserved[0].name, "tokens_per_minute");
    EXPECT_EQ(reserved[0].window_ms, minute_ms);
    EXPECT_EQ(reserved[0].delta, 300);
    EXPECT_EQ(reserved[1].name, "tokens_per_day");
    EXPECT_EQ(reserved[1].window_ms, day_ms);

    const check_result denied = limiter_.check_all("key", specs, {1, 1'000});
    ASSERT_FALSE(denied.allowed);
    EXPECT_TRUE(reserved_tokens(denied).empty());
    limiter_.adjust_tokens("key", reserved, 0);  // the call failed: nothing was used
    EXPECT_EQ(limiter_.peek("key", specs[1]).used, 0);
}

TEST_F(RateLimiter, AdjustTargetsTheWindowOfTheReservation) {
    const limit_spec tpm = limit_spec::tokens_per_minute(1'000);
    const decision reserved = limiter_.hit("key", tpm, 1'000);
    ASSERT_TRUE(reserved.allowed);
    clock_.advance(minute_ms + 30'000);  // the reservation now weighs half
    EXPECT_EQ(limiter_.peek("key", tpm).used, 500);
    limiter_.adjust("key", tpm, -800, reserved.at_ms);  // actual 200
    EXPECT_EQ(limiter_.peek("key", tpm).used, 100);
    clock_.advance(minute_ms);
    limiter_.adjust("key", tpm, 5'000, reserved.at_ms);  // too old to count
    EXPECT_EQ(limiter_.peek("key", tpm).used, 0);
}

TEST_F(RateLimiter, AnAmountAboveTheLimitIsDeniedWithTheWindowAsRetryAfter) {
    const decision d = limiter_.hit("key", limit_spec::tokens_per_minute(100), 101);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.retry_after_secs, 60);
    EXPECT_EQ(d.remaining, 100);
}

TEST(LimitSpecs, FollowTheConfig) {
    config::rate_limits_config c;
    c.requests_per_minute = 60;
    c.tokens_per_day = 1'000'000;
    const auto specs = limit_specs(c);
    ASSERT_EQ(specs.size(), 2u);
    EXPECT_EQ(specs[0].name, "requests_per_minute");
    EXPECT_EQ(specs[0].limit, 60);
    EXPECT_EQ(specs[0].window_ms, minute_ms);
    EXPECT_EQ(specs[1].name, "tokens_per_day");
    EXPECT_EQ(specs[1].unit, limit_unit::tokens);
    EXPECT_EQ(specs[1].window_ms, day_ms);
}

TEST(WindowName, NamesCommonLengths) {
    EXPECT_EQ(window_name(minute_ms), "minute");
    EXPECT_EQ(window_name(day_ms), "day");
    EXPECT_EQ(window_name(3'600'000), "hour");
    EXPECT_EQ(window_name(90'000), "90s");
    EXPECT_EQ(window_name(1'500), "1500ms");
}

}  // namespace
}  // namespace hadrian::limits
