#include "hadrian/limits/budget.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace hadrian::limits {
namespace {

constexpr std::int64_t day = 86'400'000;
// UTC midnights.
constexpr std::int64_t jan_1_2024 = 1'704'067'200'000;
constexpr std::int64_t jan_31_2024 = 1'706'659'200'000;
constexpr std::int64_t feb_1_2024 = 1'706'745'600'000;
constexpr std::int64_t feb_29_2024 = 1'709'164'800'000;
constexpr std::int64_t mar_1_2024 = 1'709'251'200'000;
constexpr std::int64_t feb_1_2023 = 1'675'209'600'000;
constexpr std::int64_t feb_28_2023 = 1'677'542'400'000;
constexpr std::int64_t mar_1_2023 = 1'677'628'800'000;
constexpr std::int64_t dec_1_2024 = 1'733'011'200'000;
constexpr std::int64_t dec_31_2024 = 1'735'603'200'000;
constexpr std::int64_t jan_1_2025 = 1'735'689'600'000;

constexpr auto daily = budget_period::daily;
constexpr auto monthly = budget_period::monthly;

TEST(BudgetPeriod, NamesRoundTrip) {
    EXPECT_EQ(period_name(daily), "daily");
    EXPECT_EQ(period_name(monthly), "monthly");
    EXPECT_EQ(parse_budget_period("daily"), daily);
    EXPECT_EQ(parse_budget_period("monthly"), monthly);
    EXPECT_EQ(parse_budget_period("weekly"), std::nullopt);
}

TEST(BudgetPeriod, DailyRollsAtUtcMidnight) {
    EXPECT_EQ(period_start_ms(daily, jan_1_2024 + day - 1), jan_1_2024);
    EXPECT_EQ(period_end_ms(daily, jan_1_2024 + day - 1), jan_1_2024 + day);
    EXPECT_EQ(period_start_ms(daily, jan_1_2024 + day), jan_1_2024 + day);
    EXPECT_EQ(period_start_ms(daily, -1), -day);  // before the epoch: still floored
}

TEST(BudgetPeriod, January31ToFebruary1) {
    const std::int64_t last_ms = jan_31_2024 + day - 1;
    EXPECT_EQ(period_start_ms(monthly, last_ms), jan_1_2024);
    EXPECT_EQ(period_end_ms(monthly, last_ms), feb_1_2024);
    EXPECT_EQ(period_start_ms(monthly, feb_1_2024), feb_1_2024);
    EXPECT_EQ(period_start_ms(daily, last_ms), jan_31_2024);
    EXPECT_EQ(period_end_ms(daily, last_ms), feb_1_2024);
}

TEST(BudgetPeriod, February29InALeapYear) {
    const std::int64_t noon = feb_29_2024 + day / 2;
    EXPECT_EQ(period_start_ms(daily, noon), feb_29_2024);
    EXPECT_EQ(period_end_ms(daily, noon), mar_1_2024);
    EXPECT_EQ(period_start_ms(monthly, noon), feb_1_2024);
    EXPECT_EQ(period_end_ms(monthly, noon), mar_1_2024);
    EXPECT_EQ(period_end_ms(monthly, feb_1_2024) - feb_1_2024, 29 * day);
}

TEST(BudgetPeriod, FebruaryInACommonYear) {
    EXPECT_EQ(period_start_ms(monthly, feb_28_2023 + 5), feb_1_2023);
    EXPECT_EQ(period_end_ms(monthly, feb_28_2023 + 5), mar_1_2023);
    EXPECT_EQ(period_end_ms(daily, feb_28_2023 + 5), mar_1_2023);
    EXPECT_EQ(mar_1_2023 - feb_1_2023, 28 * day);
}

TEST(BudgetPeriod, December31ToJanuary1) {
    const std::int64_t last_ms = dec_31_2024 + day - 1;
    EXPECT_EQ(period_start_ms(monthly, last_ms), dec_1_2024);
    EXPECT_EQ(period_end_ms(monthly, last_ms), jan_1_2025);
    EXPECT_EQ(period_end_ms(daily, last_ms), jan_1_2025);
    EXPECT_EQ(period_start_ms(monthly, jan_1_2025), jan_1_2025);
}

constexpr std::int64_t cent = microcents_per_cent;

TEST(BudgetTracker, ReservesSettlesAndRefunds) {
    budget_tracker t;
    const std::int64_t now = jan_1_2024 + 1000;
    auto r = t.reserve("k", monthly, 100, 30 * cent, now);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->amount_microcents, 30 * cent);
    EXPECT_EQ(r->period_start_ms, jan_1_2024);
    budget_status s = t.status("k", monthly, 100, now);
    EXPECT_EQ(s.reserved_microcents, 30 * cent);
    EXPECT_EQ(s.spent_microcents, 0);

    t.settle(*r, 25 * cent);
    s = t.status("k", monthly, 100, now);
    EXPECT_EQ(s.reserved_microcents, 0);
    EXPECT_EQ(s.spent_microcents, 25 * cent);
    EXPECT_DOUBLE_EQ(s.percentage, 25.0);
    EXPECT_EQ(s.period_start_ms, jan_1_2024);
    EXPECT_EQ(s.period_end_ms, feb_1_2024);

    auto r2 = t.reserve("k", monthly, 100, 50 * cent, now);
    ASSERT_TRUE(r2.has_value());
    t.refund(*r2);
    s = t.status("k", monthly, 100, now);
    EXPECT_EQ(s.reserved_microcents, 0);
    EXPECT_EQ(s.spent_microcents, 25 * cent);
}

TEST(BudgetTracker, DeniesWhenTheEstimateDoesNotFit) {
    budget_tracker t;
    const std::int64_t now = jan_1_2024;
    auto a = t.reserve("k", daily, 10, 6 * cent, now);
    ASSERT_TRUE(a.has_value());
    auto b = t.reserve("k", daily, 10, 5 * cent, now);  // 6 reserved + 5 > 10
    ASSERT_FALSE(b.has_value());
    EXPECT_EQ(b.error().reserved_microcents, 6 * cent);
    EXPECT_EQ(b.error().limit_cents, 10);
    EXPECT_EQ(b.error().period, daily);
    EXPECT_TRUE(t.reserve("k", daily, 10, 4 * cent, now).has_value());  // exactly the limit
    EXPECT_FALSE(t.reserve("k", daily, 10, 0, now).has_value());        // nothing left
    EXPECT_FALSE(t.reserve("zero", daily, 0, 0, now).has_value());
    EXPECT_THROW((void)b.value(), std::runtime_error);
}

TEST(BudgetTracker, SpendNeverGoesNegative) {
    budget_tracker t;
    auto r = t.reserve("k", daily, 10, 1 * cent, jan_1_2024);
    ASSERT_TRUE(r.has_value());
    t.settle(*r, -5 * cent);
    t.refund(*r);  // a second give-back of the same reservation cannot push below 0
    const budget_status s = t.status("k", daily, 10, jan_1_2024);
    EXPECT_EQ(s.spent_microcents, 0);
    EXPECT_EQ(s.reserved_microcents, 0);
}

TEST(BudgetTracker, PeriodsRollOver) {
    budget_tracker t;
    auto r = t.reserve("k", monthly, 100, 90 * cent, jan_31_2024 + 1);
    ASSERT_TRUE(r.has_value());
    t.settle(*r, 90 * cent);
    EXPECT_FALSE(t.reserve("k", monthly, 100, 20 * cent, jan_31_2024 + 2).has_value());
    auto late = t.reserve("k", monthly, 100, 5 * cent, jan_31_2024 + 3);
    ASSERT_TRUE(late.has_value());

    auto feb = t.reserve("k", monthly, 100, 20 * cent, feb_1_2024);
    ASSERT_TRUE(feb.has_value());
    EXPECT_EQ(feb->period_start_ms, feb_1_2024);
    t.settle(*late, 5 * cent);  // January's: does not count in February
    const budget_status s = t.status("k", monthly, 100, feb_1_2024 + 1);
    EXPECT_EQ(s.spent_microcents, 0);
    EXPECT_EQ(s.reserved_microcents, 20 * cent);
    EXPECT_EQ(t.status("k", monthly, 100, mar_1_2024).reserved_microcents, 0);
}

TEST(BudgetTracker, PeriodKindsAreSeparate) {
    budget_tracker t;
    auto d = t.reserve("k", daily, 10, 10 * cent, jan_1_2024);
    ASSERT_TRUE(d.has_value());
    t.settle(*d, 10 * cent);
    EXPECT_TRUE(t.reserve("k", monthly, 10, 10 * cent, jan_1_2024).has_value());
}

TEST(BudgetTracker, LoadRebuildsTheCurrentPeriod) {
    budget_tracker t;
    t.load("k", monthly, jan_1_2024, 95 * cent);
    EXPECT_FALSE(t.reserve("k", monthly, 100, 10 * cent, jan_1_2024 + day).has_value());
    auto r = t.reserve("k", monthly, 100, 5 * cent, jan_1_2024 + day);
    ASSERT_TRUE(r.has_value());
    t.load("k", monthly, jan_1_2024, 90 * cent);  // same period: reservations stay
    budget_status s = t.status("k", monthly, 100, jan_1_2024 + day);
    EXPECT_EQ(s.spent_microcents, 90 * cent);
    EXPECT_EQ(s.reserved_microcents, 5 * cent);
    t.load("k", monthly, jan_1_2024 - 31 * day, 1);  // December 2023: ignored
    EXPECT_EQ(t.status("k", monthly, 100, jan_1_2024 + day).spent_microcents, 90 * cent);
    t.load("k", monthly, feb_1_2024, 7);  // a later one replaces it
    s = t.status("k", monthly, 100, feb_1_2024);
    EXPECT_EQ(s.spent_microcents, 7);
    EXPECT_EQ(s.reserved_microcents, 0);
}

TEST(BudgetTracker, ConcurrentRequestsDoNotOverspend) {
    budget_tracker t;
    constexpr std::int64_t limit_cents = 100;
    constexpr std::int64_t cost = 7 * cent;  // known cost: the estimate is exact
    std::atomic<std::int64_t> settled{0};
    std::atomic<int> admitted{0};
    std::vector<std::thread> threads;
    for (int th = 0; th < 8; ++th) {
        threads.emplace_back([&] {
            for (int i = 0; i < 13; ++i) {  // 104 requests in all
                auto r = t.reserve("k", monthly, limit_cents, cost, jan_1_2024);
                if (r) {
                    admitted.fetch_add(1);
                    std::this_thread::yield();
                    t.settle(*r, cost);
                    settled.fetch_add(cost);
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    const budget_status s = t.status("k", monthly, limit_cents, jan_1_2024);
    EXPECT_EQ(s.spent_microcents, settled.load());
    EXPECT_LE(s.spent_microcents, limit_cents * cent + cost);
    EXPECT_LE(s.spent_microcents, limit_cents * cent);  // exact estimates: not even one over
    EXPECT_EQ(admitted.load(), 14);                     // floor(100 / 7)
    EXPECT_EQ(s.reserved_microcents, 0);
}

TEST(BudgetTracker, AnUnderestimateOverspendsByAtMostOneRequest) {
    budget_tracker t;
    constexpr std::int64_t actual = 7 * cent;
    int admitted = 0;
    while (auto r = t.reserve("k", daily, 100, 1 * cent, jan_1_2024)) {
        t.settle(*r, actual);
        ++admitted;
    }
    const budget_status s = t.status("k", daily, 100, jan_1_2024);
    EXPECT_GT(s.spent_microcents, 100 * cent);
    EXPECT_LE(s.spent_microcents, 100 * cent + actual);
    EXPECT_EQ(admitted, 15);
}

}  // namespace
}  // namespace hadrian::limits
