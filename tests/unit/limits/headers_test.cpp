#include "hadrian/limits/headers.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>

namespace hadrian::limits {
namespace {

std::optional<std::string> header(const header_list& h, std::string_view name) {
    for (const auto& [k, v] : h) {
        if (k == name) {
            return v;
        }
    }
    return std::nullopt;
}

decision make(limit_spec spec, bool allowed, std::int64_t used, std::int64_t reset,
              std::int64_t retry) {
    decision d;
    d.spec = std::move(spec);
    d.allowed = allowed;
    d.amount = 1;
    d.used = used;
    d.remaining = std::max<std::int64_t>(d.spec.limit - used, 0);
    d.reset_secs = reset;
    d.retry_after_secs = retry;
    return d;
}

TEST(RateLimitHeaders, RequestAndTokenHeaders) {
    check_result r;
    r.decisions.push_back(make(limit_spec::requests_per_minute(100), true, 10, 42, 0));
    r.decisions.push_back(make(limit_spec::requests_per_day(1'000), true, 950, 3'600, 0));
    r.decisions.push_back(make(limit_spec::tokens_per_minute(10'000), true, 2'500, 42, 0));
    const header_list h = rate_limit_headers(r);
    EXPECT_EQ(h.size(), 6u);
    EXPECT_EQ(header(h, "X-RateLimit-Limit"), "1000");  // the day limit is the tighter one
    EXPECT_EQ(header(h, "X-RateLimit-Remaining"), "50");
    EXPECT_EQ(header(h, "X-RateLimit-Reset"), "3600");
    EXPECT_EQ(header(h, "X-TokenRateLimit-Limit"), "10000");
    EXPECT_EQ(header(h, "X-TokenRateLimit-Remaining"), "7500");
    EXPECT_EQ(header(h, "X-TokenRateLimit-Used"), "2500");
    EXPECT_TRUE(rate_limit_headers(nullptr, nullptr).empty());
}

TEST(RateLimitError, ShapeOfThe429) {
    const core::api_error e =
        rate_limit_error(make(limit_spec::requests_per_minute(100), false, 100, 30, 17));
    EXPECT_EQ(e.status, 429);
    EXPECT_EQ(e.kind, core::errc::rate_limit_exceeded);
    const nlohmann::json body = e.to_json("req-1");
    EXPECT_EQ(body["error"]["type"], "rate_limit_error");
    EXPECT_EQ(body["error"]["code"], "rate_limit_exceeded");
    EXPECT_EQ(body["error"]["message"], "Rate limit exceeded: 100 requests per minute");
    EXPECT_TRUE(body["error"]["param"].is_null());
    EXPECT_EQ(body["error"]["details"],
              (nlohmann::json{{"limit", 100}, {"retry_after_secs", 17}, {"window", "minute"}}));
    EXPECT_EQ(header(e.headers, "Retry-After"), "17");

    const core::api_error t =
        rate_limit_error(make(limit_spec::tokens_per_day(5'000), false, 5'000, 30, 600));
    EXPECT_EQ(t.message, "Rate limit exceeded: 5000 tokens per day");
    EXPECT_EQ(t.details["window"], "day");
}

TEST(RateLimitError, FromACheckResultCarriesTheRateLimitHeaders) {
    check_result r;
    r.allowed = false;
    r.decisions.push_back(make(limit_spec::requests_per_minute(10), true, 3, 20, 0));
    r.decisions.push_back(make(limit_spec::tokens_per_minute(1'000), false, 900, 20, 5));
    const core::api_error e = rate_limit_error(r);
    EXPECT_EQ(e.message, "Rate limit exceeded: 1000 tokens per minute");
    EXPECT_EQ(header(e.headers, "Retry-After"), "5");
    EXPECT_EQ(header(e.headers, "X-RateLimit-Remaining"), "7");
    EXPECT_EQ(header(e.headers, "X-TokenRateLimit-Used"), "900");
}

TEST(RateLimitError, Concurrency) {
    const core::api_error e = concurrency_limit_error(5);
    EXPECT_EQ(e.status, 429);
    EXPECT_EQ(e.message, "Rate limit exceeded: 5 concurrent requests");
    EXPECT_EQ(e.details,
              (nlohmann::json{{"limit", 5}, {"retry_after_secs", 1}, {"window", "concurrent"}}));
    EXPECT_EQ(header(e.headers, "Retry-After"), "1");
}

TEST(BudgetError, ShapeOfThe402) {
    const core::api_error e = budget_error({budget_period::monthly, 10, 0, 1});
    EXPECT_EQ(e.status, 402);
    const nlohmann::json body = e.to_json("req-2");
    EXPECT_EQ(body["error"]["type"], "invalid_request_error");
    EXPECT_EQ(body["error"]["code"], "budget_exceeded");
    EXPECT_EQ(body["error"]["message"], "Budget limit exceeded for monthly period");
    EXPECT_TRUE(body["error"]["param"].is_null());
    EXPECT_FALSE(body["error"].contains("details"));
    EXPECT_EQ(budget_error({budget_period::daily, 0, 0, 0}).message,
              "Budget limit exceeded for daily period");
}

TEST(BudgetWarningHeaders, FromTheThresholdOn) {
    budget_status s;
    s.period = budget_period::monthly;
    s.limit_cents = 1'000;
    s.spent_microcents = 799 * microcents_per_cent;
    EXPECT_TRUE(budget_warning_headers(s, 0.8).empty());

    s.spent_microcents = 800 * microcents_per_cent;  // exactly at the threshold
    EXPECT_EQ(budget_warning_headers(s, 0.8).size(), 5u);

    s.spent_microcents = 853 * microcents_per_cent + 5'000;  // 853.5 cents
    const header_list h = budget_warning_headers(s, 0.8);
    EXPECT_EQ(header(h, "X-Budget-Warning"), "85.4% of monthly budget used");
    EXPECT_EQ(header(h, "X-Budget-Spend-Percentage"), "85.4");
    EXPECT_EQ(header(h, "X-Budget-Current-Spend-Cents"), "854");
    EXPECT_EQ(header(h, "X-Budget-Limit-Cents"), "1000");
    EXPECT_EQ(header(h, "X-Budget-Period"), "monthly");

    s.limit_cents = 0;
    EXPECT_TRUE(budget_warning_headers(s, 0.8).empty());
}

}  // namespace
}  // namespace hadrian::limits
