#include "api/admin_input.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hadrian::api {
namespace {

using nlohmann::json;

constexpr std::int64_t now = 1'750'000'000;  // 2025-06-15T15:06:40Z

/// The value of a result that must succeed (the test fails, and a default is returned, if not).
template <class T>
T must(input_result<T> r) {
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    if (!r) {
        return T{};
    }
    return std::move(*r);
}

/// The error of a key body that must be rejected; fails the test when it is accepted.
core::api_error rejected(std::string_view body) {
    auto r = parse_key_settings_body(body, now);
    EXPECT_FALSE(r.has_value()) << body;
    if (r.has_value()) {
        return {};
    }
    return r.error();
}

void expect_invalid(std::string_view body, std::string_view param) {
    const auto err = rejected(body);
    EXPECT_EQ(err.kind, core::errc::validation_error) << body;
    EXPECT_EQ(err.status, 400) << body;
    ASSERT_TRUE(err.param.has_value()) << body;
    EXPECT_EQ(*err.param, param) << body;
    EXPECT_FALSE(err.message.empty());
}

storage::api_key_record accepted(std::string_view body) {
    auto r = parse_key_settings_body(body, now);
    EXPECT_TRUE(r.has_value()) << body << ": " << (r ? "" : r.error().message);
    if (!r) {
        return {};
    }
    return *r;
}

// --- times ----------------------------------------------------------------------------------

TEST(AdminTimes, ParsesRfc3339) {
    EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(parse_rfc3339("2027-01-01T00:00:00Z"), 1'798'761'600);
    EXPECT_EQ(parse_rfc3339("2027-01-01t00:00:00z"), 1'798'761'600);
    EXPECT_EQ(parse_rfc3339("2027-01-01T00:00:00.999Z"), 1'798'761'600);
    EXPECT_EQ(parse_rfc3339("2027-01-01T01:00:00+01:00"), 1'798'761'600);
    EXPECT_EQ(parse_rfc3339("2026-12-31T23:00:00-01:00"), 1'798'761'600);
    EXPECT_EQ(parse_rfc3339("2024-02-29T12:00:00Z"), 1'709'208'000);
}

TEST(AdminTimes, RejectsMalformedTimes) {
    for (const char* bad :
         {"", "2027-01-01", "2027-01-01T00:00:00", "2027-01-01 00:00:00Z", "2027-13-01T00:00:00Z",
          "2027-02-29T00:00:00Z", "2027-01-32T00:00:00Z", "2027-01-01T24:00:00Z",
          "2027-01-01T00:60:00Z", "2027-01-01T00:00:00.Z", "2027-01-01T00:00:00+0100",
          "2027-01-01T00:00:00+01:60", "0000-01-01T00:00:00Z", "+027-01-01T00:00:00Z",
          "2027-01-01T00:00:00Zjunk", "tomorrow", "1798761600"}) {
        EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
    }
}

TEST(AdminTimes, ParsesDates) {
    EXPECT_EQ(parse_date("1970-01-02"), 86'400);
    EXPECT_EQ(parse_date("2027-01-01"), 1'798'761'600);
    EXPECT_FALSE(parse_date("2027-02-30").has_value());
    EXPECT_FALSE(parse_date("2027-1-01").has_value());
    EXPECT_FALSE(parse_date("2027-01-01T00:00:00Z").has_value());
}

TEST(AdminTimes, FormatsUtc) {
    EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(format_rfc3339(now), "2025-06-15T15:06:40Z");
    EXPECT_EQ(parse_rfc3339(format_rfc3339(now)), now);
}

// --- key settings: accepted -----------------------------------------------------------------

TEST(AdminKeySettings, MinimalBodyGetsDefaultScopes) {
    const auto key = accepted(R"({"name":"ci"})");
    EXPECT_EQ(key.name, "ci");
    EXPECT_EQ(key.scopes,
              (std::vector<std::string>{"chat", "completions", "embeddings", "models"}));
    EXPECT_TRUE(key.allowed_models.empty());
    EXPECT_TRUE(key.ip_allowlist.empty());
    EXPECT_FALSE(key.expires_at.has_value());
    EXPECT_FALSE(key.rate_limit_rpm.has_value());
    EXPECT_FALSE(key.budget_limit_cents.has_value());
    EXPECT_TRUE(key.id.empty());
    EXPECT_TRUE(key.key_hash.empty());
}

TEST(AdminKeySettings, EveryFieldIsRead) {
    const auto key = accepted(R"({
        "name": "full", "scopes": ["chat", "admin", "chat"],
        "allowed_models": ["test/*", "openai/gpt-4o"], "ip_allowlist": ["10.1.2.3/8", "::1"],
        "expires_at": "2030-01-01T00:00:00Z", "rate_limit_rpm": 60, "rate_limit_rpd": 1000,
        "rate_limit_tpm": 100000, "rate_limit_tpd": 1000000000, "concurrent_requests": 4,
        "budget_limit_cents": 0, "budget_period": "monthly"})");
    EXPECT_EQ(key.scopes, (std::vector<std::string>{"chat", "admin"}));
    EXPECT_EQ(key.allowed_models, (std::vector<std::string>{"test/*", "openai/gpt-4o"}));
    EXPECT_EQ(key.ip_allowlist, (std::vector<std::string>{"10.0.0.0/8", "::1/128"}));
    EXPECT_EQ(key.expires_at, parse_rfc3339("2030-01-01T00:00:00Z"));
    EXPECT_EQ(key.rate_limit_rpm, 60U);
    EXPECT_EQ(key.rate_limit_rpd, 1000U);
    EXPECT_EQ(key.rate_limit_tpm, 100000U);
    EXPECT_EQ(key.rate_limit_tpd, 1000000000U);
    EXPECT_EQ(key.concurrent_requests, 4U);
    EXPECT_EQ(key.budget_limit_cents, 0);
    EXPECT_EQ(key.budget_period, "monthly");
}

TEST(AdminKeySettings, NullsMeanAbsent) {
    const auto key = accepted(R"({"name":"n","scopes":null,"expires_at":null,
        "rate_limit_rpm":null,"budget_limit_cents":null,"budget_period":null})");
    EXPECT_EQ(key.scopes.size(), 4U);
    EXPECT_FALSE(key.expires_at.has_value());
    EXPECT_FALSE(key.rate_limit_rpm.has_value());
    EXPECT_FALSE(key.budget_period.has_value());
}

TEST(AdminKeySettings, SqlLookingNameIsStoredVerbatim) {
    const std::string name = "x'); DROP TABLE api_keys; --";
    const auto key = accepted(json({{"name", name}}).dump());
    EXPECT_EQ(key.name, name);
}

TEST(AdminKeySettings, NameLengthCountsCharacters) {
    const std::string max_ascii(128, 'a');
    EXPECT_EQ(accepted(json({{"name", max_ascii}}).dump()).name, max_ascii);
    std::string max_umlauts;
    for (int i = 0; i < 128; ++i) {
        max_umlauts += "\xc3\xa4";  // ä: two bytes, one character
    }
    EXPECT_EQ(accepted(json({{"name", max_umlauts}}).dump()).name, max_umlauts);
}

TEST(AdminKeySettings, EmptyBodyMeansNoFields) { expect_invalid("", "name"); }

// --- key settings: rejected -----------------------------------------------------------------

TEST(AdminKeySettings, NameRules) {
    expect_invalid(R"({})", "name");
    expect_invalid(R"({"name":null})", "name");
    expect_invalid(R"({"name":""})", "name");
    expect_invalid(R"({"name":42})", "name");
    expect_invalid(json({{"name", std::string(129, 'a')}}).dump(), "name");
}

TEST(AdminKeySettings, InvalidUtf8NameIsRejected) {
    // Only reachable from the command line: JSON text is checked by the parser.
    json body = json::object();
    body["name"] = std::string("bad\xff");
    const auto r = parse_key_settings(body, now);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().param, "name");
}

TEST(AdminKeySettings, ScopeRules) {
    expect_invalid(R"({"name":"n","scopes":["chat","root"]})", "scopes");
    expect_invalid(R"({"name":"n","scopes":["Chat"]})", "scopes");
    expect_invalid(R"({"name":"n","scopes":[]})", "scopes");
    expect_invalid(R"({"name":"n","scopes":"chat"})", "scopes");
    expect_invalid(R"({"name":"n","scopes":[1]})", "scopes");
}

TEST(AdminKeySettings, ModelPatternRules) {
    expect_invalid(R"({"name":"n","allowed_models":["gpt-*-mini"]})", "allowed_models");
    expect_invalid(R"({"name":"n","allowed_models":["**"]})", "allowed_models");
    expect_invalid(R"({"name":"n","allowed_models":[""]})", "allowed_models");
    expect_invalid(R"({"name":"n","allowed_models":"gpt-4o"})", "allowed_models");
    expect_invalid(R"({"name":"n","allowed_models":[null]})", "allowed_models");
}

TEST(AdminKeySettings, CidrRules) {
    expect_invalid(R"({"name":"n","ip_allowlist":["10.0.0.0/33"]})", "ip_allowlist");
    expect_invalid(R"({"name":"n","ip_allowlist":["not-an-ip"]})", "ip_allowlist");
    expect_invalid(R"({"name":"n","ip_allowlist":["10.0.0.0/8 "]})", "ip_allowlist");
    expect_invalid(R"({"name":"n","ip_allowlist":["::1/129"]})", "ip_allowlist");
    expect_invalid(R"({"name":"n","ip_allowlist":"10.0.0.0/8"})", "ip_allowlist");
}

TEST(AdminKeySettings, ExpiryRules) {
    expect_invalid(R"({"name":"n","expires_at":"2027-01-01"})", "expires_at");
    expect_invalid(R"({"name":"n","expires_at":"next week"})", "expires_at");
    expect_invalid(R"({"name":"n","expires_at":1798761600})", "expires_at");
    expect_invalid(R"({"name":"n","expires_at":"2020-01-01T00:00:00Z"})", "expires_at");
    expect_invalid(json({{"name", "n"}, {"expires_at", format_rfc3339(now)}}).dump(), "expires_at");
    EXPECT_TRUE(accepted(json({{"name", "n"}, {"expires_at", format_rfc3339(now + 1)}}).dump())
                    .expires_at.has_value());
}

TEST(AdminKeySettings, LimitRules) {
    for (const char* field : {"rate_limit_rpm", "rate_limit_rpd", "rate_limit_tpm",
                              "rate_limit_tpd", "concurrent_requests"}) {
        for (const char* value :
             {"0", "-1", "1000000001", "1.5", "\"10\"", "true", "18446744073709551615", "[]"}) {
            expect_invalid(std::string(R"({"name":"n",")") + field + "\":" + value + "}", field);
        }
        const auto key = accepted(std::string(R"({"name":"n",")") + field + "\":1000000000}");
        EXPECT_EQ(key.name, "n");
    }
}

TEST(AdminKeySettings, BudgetRules) {
    expect_invalid(R"({"name":"n","budget_limit_cents":100})", "budget_period");
    expect_invalid(R"({"name":"n","budget_limit_cents":100,"budget_period":"weekly"})",
                   "budget_period");
    expect_invalid(R"({"name":"n","budget_limit_cents":100,"budget_period":"Monthly"})",
                   "budget_period");
    expect_invalid(R"({"name":"n","budget_period":"daily"})", "budget_period");
    expect_invalid(R"({"name":"n","budget_limit_cents":-1,"budget_period":"daily"})",
                   "budget_limit_cents");
    expect_invalid(R"({"name":"n","budget_limit_cents":2.5,"budget_period":"daily"})",
                   "budget_limit_cents");
    const auto key = accepted(R"({"name":"n","budget_limit_cents":500,"budget_period":"daily"})");
    EXPECT_EQ(key.budget_limit_cents, 500);
    EXPECT_EQ(key.budget_period, "daily");
}

TEST(AdminKeySettings, UnknownFieldIsNamed) {
    expect_invalid(R"({"name":"n","key":"gw_live_x"})", "key");
    expect_invalid(R"({"name":"n","id":"key_1"})", "id");
    expect_invalid(R"({"name":"n","rate_limit_rps":1})", "rate_limit_rps");
}

TEST(AdminKeySettings, BodyMustBeJsonObject) {
    EXPECT_EQ(rejected("{").kind, core::errc::invalid_json);
    EXPECT_EQ(rejected("name=x").kind, core::errc::invalid_json);
    EXPECT_EQ(rejected("[]").kind, core::errc::validation_error);
    EXPECT_EQ(rejected("\"n\"").kind, core::errc::validation_error);
    EXPECT_EQ(rejected("null").kind, core::errc::validation_error);
}

// --- rotation -------------------------------------------------------------------------------

TEST(AdminRotateBody, GracePeriod) {
    EXPECT_EQ(must(parse_rotate_body("")), 86'400);
    EXPECT_EQ(must(parse_rotate_body("{}")), 86'400);
    EXPECT_EQ(must(parse_rotate_body(R"({"grace_period_seconds":null})")), 86'400);
    EXPECT_EQ(must(parse_rotate_body(R"({"grace_period_seconds":0})")), 0);
    EXPECT_EQ(must(parse_rotate_body(R"({"grace_period_seconds":604800})")), 604'800);
    for (const char* bad : {R"({"grace_period_seconds":604801})", R"({"grace_period_seconds":-1})",
                            R"({"grace_period_seconds":"60"})", R"({"grace_period_seconds":1.5})",
                            R"({"grace":60})", "[]"}) {
        const auto r = parse_rotate_body(bad);
        ASSERT_FALSE(r.has_value()) << bad;
        EXPECT_EQ(r.error().kind, core::errc::validation_error) << bad;
    }
    EXPECT_EQ(must(parse_rotate_body(R"({"grace_period_seconds":1})")), 1);
    EXPECT_EQ(parse_rotate_body("{oops").error().kind, core::errc::invalid_json);
}

// --- query strings --------------------------------------------------------------------------

TEST(AdminQuery, Params) {
    EXPECT_EQ(must(query_param("/a?x=1&y=2", "y")), "2");
    EXPECT_EQ(must(query_param("/a?x=a%20b+c", "x")), "a b c");
    EXPECT_EQ(must(query_param("/a?x", "x")), "");
    EXPECT_FALSE(must(query_param("/a?x=1", "y")).has_value());
    EXPECT_FALSE(must(query_param("/a", "x")).has_value());
    EXPECT_FALSE(query_param("/a?x=%zz", "x").has_value());
    EXPECT_FALSE(query_param("/a?x=%2", "x").has_value());
    EXPECT_FALSE(query_param("/a?x=1&x=2", "x").has_value());
    // A broken escape elsewhere does not matter.
    EXPECT_EQ(must(query_param("/a?y=%zz&x=1", "x")), "1");
}

TEST(AdminQuery, ListLimit) {
    EXPECT_EQ(must(parse_list_query("/admin/v1/api-keys")).limit, 100U);
    EXPECT_EQ(must(parse_list_query("/admin/v1/api-keys?limit=1")).limit, 1U);
    EXPECT_EQ(must(parse_list_query("/admin/v1/api-keys?limit=1000")).limit, 1000U);
    for (const char* bad :
         {"0", "1001", "-1", "+5", "abc", "5x", "", "1e2", "99999999999999999999"}) {
        const auto r = parse_list_query(std::string("/admin/v1/api-keys?limit=") + bad);
        ASSERT_FALSE(r.has_value()) << bad;
        EXPECT_EQ(r.error().kind, core::errc::validation_error);
        EXPECT_EQ(r.error().param, "limit") << bad;
    }
}

TEST(AdminQuery, ListCursor) {
    EXPECT_EQ(must(parse_list_query("/admin/v1/api-keys?cursor=c1abcd")).cursor, "c1abcd");
    EXPECT_EQ(must(parse_list_query("/admin/v1/api-keys?cursor=")).cursor, "");
    for (const char* bad : {"a%27b", "a;b", "%00", "a%zz"}) {
        const auto r = parse_list_query(std::string("/admin/v1/api-keys?cursor=") + bad);
        ASSERT_FALSE(r.has_value()) << bad;
        EXPECT_EQ(r.error().param, "cursor") << bad;
    }
    const auto long_cursor = parse_list_query("/x?cursor=" + std::string(2000, 'a'));
    ASSERT_FALSE(long_cursor.has_value());
    EXPECT_EQ(long_cursor.error().param, "cursor");
}

TEST(AdminQuery, UsageDefaultsToLastThirtyDays) {
    const auto q = must(parse_usage_query("/admin/v1/usage", now));
    EXPECT_EQ(q.from, now - 30 * 86'400);
    EXPECT_EQ(q.to, now + 1);
    EXPECT_EQ(q.filter.from_ms, q.from * 1000);
    EXPECT_EQ(q.filter.to_ms, q.to * 1000);
    EXPECT_FALSE(q.filter.api_key_id.has_value());
}

TEST(AdminQuery, UsageRange) {
    const auto dates =
        must(parse_usage_query("/u?from=2025-01-01&to=2025-01-31&api_key_id=key_abc", now));
    EXPECT_EQ(dates.from, parse_rfc3339("2025-01-01T00:00:00Z"));
    EXPECT_EQ(dates.to, parse_rfc3339("2025-02-01T00:00:00Z"));  // the whole last day
    EXPECT_EQ(dates.filter.api_key_id, "key_abc");
    const auto times =
        must(parse_usage_query("/u?from=2025-01-01T10:00:00Z&to=2025-01-01T12:00:00%2B01:00", now));
    EXPECT_EQ(times.from, parse_rfc3339("2025-01-01T10:00:00Z"));
    EXPECT_EQ(times.to, parse_rfc3339("2025-01-01T11:00:00Z"));
}

TEST(AdminQuery, UsageRejects) {
    const auto param_of = [](std::string_view target) {
        const auto r = parse_usage_query(target, now);
        EXPECT_FALSE(r.has_value()) << target;
        return r ? std::string() : r.error().param.value_or("");
    };
    EXPECT_EQ(param_of("/u?from=yesterday"), "from");
    EXPECT_EQ(param_of("/u?to=2025-02-30"), "to");
    EXPECT_EQ(param_of("/u?from=2025-02-01&to=2025-01-01"), "to");
    EXPECT_EQ(param_of("/u?api_key_id="), "api_key_id");
    EXPECT_EQ(param_of("/u?from=1&from=2"), "from");
}

// --- answers --------------------------------------------------------------------------------

TEST(AdminKeyJson, TimesAreRfc3339) {
    storage::api_key_record key;
    key.id = "key_1";
    key.name = "n";
    key.key_hash = "secret-hash";
    key.created_at = now;
    key.expires_at = now + 60;
    const auto j = key_json(key);
    EXPECT_EQ(j["created_at"], "2025-06-15T15:06:40Z");
    EXPECT_EQ(j["expires_at"], "2025-06-15T15:07:40Z");
    EXPECT_TRUE(j["revoked_at"].is_null());
    EXPECT_TRUE(j["last_used_at"].is_null());
    EXPECT_FALSE(j.contains("key_hash"));
    EXPECT_FALSE(j.contains("key"));
}

}  // namespace
}  // namespace hadrian::api
