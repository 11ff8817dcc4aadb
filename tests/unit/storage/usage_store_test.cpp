#include <gtest/gtest.h>

#include "hadrian/storage/store.hpp"
#include "temp_database.hpp"

namespace hadrian::storage {
namespace {

using testing::memory_config;
using testing::temp_database;

constexpr std::int64_t day_ms = 86'400'000;
constexpr std::int64_t jan_1_2024_ms = 1'704'067'200'000;  // 2024-01-01T00:00:00Z

usage_record make_usage(std::optional<std::string> key, std::string model, std::int64_t at_ms,
                        std::int64_t cost, int status = 200) {
    usage_record u;
    u.request_id = "req-" + std::to_string(at_ms);
    u.api_key_id = std::move(key);
    u.model = std::move(model);
    u.provider = "openai";
    u.input_tokens = 10;
    u.output_tokens = 5;
    u.cached_tokens = 2;
    u.reasoning_tokens = 1;
    u.cost_microcents = cost;
    u.latency_ms = 12.5;
    u.status = status;
    u.error_code = status >= 400 ? "provider_error" : "";
    u.created_at = at_ms;
    return u;
}

class UsageStore : public ::testing::Test {
protected:
    void SetUp() override {
        // Day 1: two keys and an unauthenticated request; day 2: key A again, one error.
        const std::int64_t d1 = jan_1_2024_ms;
        const std::int64_t d2 = jan_1_2024_ms + day_ms;
        rows_ = {
            make_usage("key_a", "gpt-4o", d1 + 1'000, 100),
            make_usage("key_a", "claude", d1 + 2'000, 200),
            make_usage("key_b", "gpt-4o", d1 + day_ms - 1, 400),  // last ms of day 1
            make_usage(std::nullopt, "gpt-4o", d1 + 5'000, 1),
            make_usage("key_a", "gpt-4o", d2, 1'000, 502),  // first ms of day 2
        };
        ASSERT_TRUE(s_->insert_usage(rows_));
    }

    std::unique_ptr<store> s_ = open_store(memory_config());
    std::vector<usage_record> rows_;
};

TEST_F(UsageStore, SummaryOverEverything) {
    auto t = s_->usage_summary({}).value();
    EXPECT_EQ(t, (usage_totals{5, 50, 25, 1'701, 1}));
}

TEST_F(UsageStore, SummaryFiltersByTimeRangeHalfOpen) {
    usage_filter day1{jan_1_2024_ms, jan_1_2024_ms + day_ms, std::nullopt};
    EXPECT_EQ(s_->usage_summary(day1).value(), (usage_totals{4, 40, 20, 701, 0}));
    usage_filter day2{jan_1_2024_ms + day_ms, jan_1_2024_ms + 2 * day_ms, std::nullopt};
    EXPECT_EQ(s_->usage_summary(day2).value(), (usage_totals{1, 10, 5, 1'000, 1}));
    usage_filter none{0, 1, std::nullopt};
    EXPECT_EQ(s_->usage_summary(none).value(), usage_totals{});
}

TEST_F(UsageStore, SummaryFiltersByKey) {
    usage_filter a{0, INT64_MAX, "key_a"};
    EXPECT_EQ(s_->usage_summary(a).value(), (usage_totals{3, 30, 15, 1'300, 1}));
    usage_filter a_day1{jan_1_2024_ms, jan_1_2024_ms + day_ms, "key_a"};
    EXPECT_EQ(s_->usage_summary(a_day1).value().cost_microcents, 300);
    usage_filter unknown{0, INT64_MAX, "key_zzz"};
    EXPECT_EQ(s_->usage_summary(unknown).value(), usage_totals{});
}

TEST_F(UsageStore, ByModel) {
    auto groups = s_->usage_by_model({}).value();
    ASSERT_EQ(groups.size(), 2u);
    EXPECT_EQ(groups[0], (usage_group{"claude", {1, 10, 5, 200, 0}}));
    EXPECT_EQ(groups[1], (usage_group{"gpt-4o", {4, 40, 20, 1'501, 1}}));
    auto b_only = s_->usage_by_model({0, INT64_MAX, "key_b"}).value();
    ASSERT_EQ(b_only.size(), 1u);
    EXPECT_EQ(b_only[0], (usage_group{"gpt-4o", {1, 10, 5, 400, 0}}));
}

TEST_F(UsageStore, ByDateInUtc) {
    auto groups = s_->usage_by_date({}).value();
    ASSERT_EQ(groups.size(), 2u);
    EXPECT_EQ(groups[0], (usage_group{"2024-01-01", {4, 40, 20, 701, 0}}));
    EXPECT_EQ(groups[1], (usage_group{"2024-01-02", {1, 10, 5, 1'000, 1}}));
    auto day2 =
        s_->usage_by_date({jan_1_2024_ms + day_ms, jan_1_2024_ms + 2 * day_ms, "key_a"}).value();
    ASSERT_EQ(day2.size(), 1u);
    EXPECT_EQ(day2[0].key, "2024-01-02");
}

TEST_F(UsageStore, ByApiKey) {
    auto groups = s_->usage_by_api_key({}).value();
    ASSERT_EQ(groups.size(), 3u);
    EXPECT_EQ(groups[0], (usage_group{"", {1, 10, 5, 1, 0}}));
    EXPECT_EQ(groups[1], (usage_group{"key_a", {3, 30, 15, 1'300, 1}}));
    EXPECT_EQ(groups[2], (usage_group{"key_b", {1, 10, 5, 400, 0}}));
    auto day2 = s_->usage_by_api_key({jan_1_2024_ms + day_ms, INT64_MAX, std::nullopt}).value();
    ASSERT_EQ(day2.size(), 1u);
    EXPECT_EQ(day2[0].key, "key_a");
}

TEST_F(UsageStore, SpendSince) {
    EXPECT_EQ(s_->spend_since("key_a", 0).value(), 1'300);
    EXPECT_EQ(s_->spend_since("key_a", jan_1_2024_ms + 2'000).value(), 1'200);  // inclusive
    EXPECT_EQ(s_->spend_since("key_a", jan_1_2024_ms + day_ms + 1).value(), 0);
    EXPECT_EQ(s_->spend_since("key_none", 0).value(), 0);
    auto all = s_->spend_since_all(jan_1_2024_ms + 1'500).value();
    EXPECT_EQ(all, (std::map<std::string, std::int64_t>{{"key_a", 1'200}, {"key_b", 400}}));
    EXPECT_TRUE(s_->spend_since_all(INT64_MAX).value().empty());
}

TEST(UsageBatch, ThousandRowsInOneCall) {
    auto s = open_store(memory_config());
    std::vector<usage_record> rows;
    for (int i = 0; i < 1000; ++i) {
        rows.push_back(make_usage(
            i % 2 == 0 ? std::optional<std::string>("key_even") : std::optional<std::string>(),
            "m" + std::to_string(i % 3), jan_1_2024_ms + i, i));
    }
    ASSERT_TRUE(s->insert_usage(rows));
    auto t = s->usage_summary({}).value();
    EXPECT_EQ(t.requests, 1000);
    EXPECT_EQ(t.input_tokens, 10'000);
    EXPECT_EQ(t.cost_microcents, 999 * 1000 / 2);
    EXPECT_EQ(s->usage_by_model({}).value().size(), 3u);
    EXPECT_EQ(s->spend_since("key_even", 0).value(), 998 * 500 / 2);  // 0 + 2 + … + 998
    EXPECT_TRUE(s->insert_usage({}));
}

TEST(UsageBatch, SqlLookingTextIsStoredVerbatim) {
    auto s = open_store(memory_config());
    const std::string evil = "x'); DROP TABLE usage_records;--";
    ASSERT_TRUE(s->insert_usage(std::vector{make_usage(evil, evil, 1, 7)}));
    auto by_model = s->usage_by_model({}).value();
    ASSERT_EQ(by_model.size(), 1u);
    EXPECT_EQ(by_model[0].key, evil);
    EXPECT_EQ(s->spend_since(evil, 0).value(), 7);
}

TEST(UsagePersistence, RowsSurviveReopen) {
    temp_database tmp;
    {
        auto s = open_store(tmp.config());
        ASSERT_TRUE(s->insert_usage(std::vector{make_usage("key_a", "m", jan_1_2024_ms, 42)}));
    }
    auto s = open_store(tmp.config());
    EXPECT_EQ(s->spend_since("key_a", 0).value(), 42);
}

}  // namespace
}  // namespace hadrian::storage
