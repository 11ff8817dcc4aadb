#include "api/usage.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "api/endpoints.hpp"

namespace hadrian::api {
namespace {

using providers::operation;

TEST(Usage, ChatUsageWithDetails) {
    const auto u = read_usage(operation::chat_completions, nlohmann::json::parse(R"({
        "prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150,
        "prompt_tokens_details": {"cached_tokens": 100},
        "completion_tokens_details": {"reasoning_tokens": 12}})"));
    EXPECT_TRUE(u.known);
    EXPECT_EQ(u.input, 120);
    EXPECT_EQ(u.output, 30);
    EXPECT_EQ(u.cached, 100);
    EXPECT_EQ(u.reasoning, 12);
}

TEST(Usage, ResponsesUsage) {
    const auto u = read_usage(operation::responses, nlohmann::json::parse(R"({
        "input_tokens": 9, "output_tokens": 4,
        "input_tokens_details": {"cached_tokens": 2},
        "output_tokens_details": {"reasoning_tokens": 1}})"));
    EXPECT_EQ(u.input, 9);
    EXPECT_EQ(u.output, 4);
    EXPECT_EQ(u.cached, 2);
    EXPECT_EQ(u.reasoning, 1);
}

TEST(Usage, MissingOrNullUsageIsUnknown) {
    EXPECT_FALSE(read_usage(operation::chat_completions, nullptr).known);
    number_fields headers;
    add_usage_headers(headers, read_usage(operation::chat_completions, nullptr));
    EXPECT_TRUE(headers.empty());
}

TEST(Usage, Headers) {
    number_fields headers;
    add_usage_headers(headers, token_usage{5, 6, 1, 2, true});
    ASSERT_EQ(headers.size(), 4u);
    const std::pair<std::string_view, std::string_view> want[] = {{"X-Input-Tokens", "5"},
                                                                  {"X-Output-Tokens", "6"},
                                                                  {"X-Cached-Tokens", "1"},
                                                                  {"X-Reasoning-Tokens", "2"}};
    for (std::size_t i = 0; i < std::size(want); ++i) {
        EXPECT_EQ(headers.name(i), want[i].first);
        number_fields::text_buffer text;
        EXPECT_EQ(headers.text(i, text), want[i].second);
    }
}

TEST(FinishReason, ChatAndResponses) {
    EXPECT_EQ(read_finish_reason(
                  operation::chat_completions,
                  nlohmann::json::parse(R"({"choices":[{"finish_reason":"tool_calls"}]})")),
              "tool_calls");
    EXPECT_EQ(read_finish_reason(operation::responses,
                                 nlohmann::json::parse(R"({"status":"completed","output":[]})")),
              "stop");
    EXPECT_EQ(
        read_finish_reason(
            operation::responses,
            nlohmann::json::parse(R"({"status":"completed","output":[{"type":"function_call"}]})")),
        "tool_calls");
    EXPECT_EQ(
        read_finish_reason(
            operation::responses,
            nlohmann::json::parse(
                R"({"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"}})")),
        "length");
}

TEST(ApiPath, PrefixesAndQueries) {
    EXPECT_EQ(api_path("/api/v1/chat/completions"), "/chat/completions");
    EXPECT_EQ(api_path("/v1/chat/completions?x=1"), "/chat/completions");
    EXPECT_EQ(api_path("/v1/models"), "/models");
    EXPECT_EQ(api_path("/v2/models"), "");
    EXPECT_EQ(api_path("/api/v1"), "");
    EXPECT_EQ(api_path("/apiv1/models"), "");
}

}  // namespace
}  // namespace hadrian::api

namespace hadrian::api {
namespace {

TEST(SpliceUsageCost, AddsTheCostToTheUsageObjectOnly) {
    std::string body =
        R"({"id":"c","choices":[{"message":{"usage":"not this"}}],"usage":{"prompt_tokens":3} })";
    ASSERT_TRUE(splice_usage_cost(body, 64));
    const auto parsed = nlohmann::json::parse(body);
    EXPECT_DOUBLE_EQ(parsed["usage"]["cost"].get<double>(), 0.000064);
    EXPECT_EQ(parsed["usage"]["prompt_tokens"], 3);
    EXPECT_EQ(parsed["choices"][0]["message"]["usage"], "not this");
}

TEST(SpliceUsageCost, EmptyUsageAndMissingUsage) {
    std::string empty = R"({"usage":{ }})";
    ASSERT_TRUE(splice_usage_cost(empty, 1'500'000));
    EXPECT_EQ(nlohmann::json::parse(empty)["usage"]["cost"], 1.5);
    std::string none = R"({"id":"x"})";
    EXPECT_FALSE(splice_usage_cost(none, 1'000'000));
    EXPECT_EQ(none, R"({"id":"x"})");
    std::string not_object = R"({"usage":null})";
    EXPECT_FALSE(splice_usage_cost(not_object, 1'000'000));
}

TEST(SpliceUsageCost, WritesTheValueADocumentGets) {
    // The text reads back as exactly the double a document is given (microcents / 1e6), and
    // dumps as that document's number does.
    for (const std::int64_t microcents :
         {std::int64_t{0}, std::int64_t{1}, std::int64_t{64}, std::int64_t{100},
          std::int64_t{999'999}, std::int64_t{1'000'000}, std::int64_t{2'000'000},
          std::int64_t{300'000}, std::int64_t{123'456'789'000}, std::int64_t{4'503'599'627'370'495},
          std::int64_t{-5}}) {
        std::string body = R"({"usage":{"total_tokens":1}})";
        ASSERT_TRUE(splice_usage_cost(body, microcents));
        const double want = static_cast<double>(microcents) / 1e6;
        const auto parsed = nlohmann::json::parse(body);
        EXPECT_EQ(parsed["usage"]["cost"].get<double>(), want) << body;
        EXPECT_EQ(parsed["usage"]["cost"].dump(), nlohmann::json(want).dump()) << body;
    }
    std::string integral = R"({"usage":{}})";
    ASSERT_TRUE(splice_usage_cost(integral, 2'000'000));
    EXPECT_EQ(integral, R"({"usage":{"cost":2.0}})");
    std::string small = R"({"usage":{"total_tokens":1}})";
    ASSERT_TRUE(splice_usage_cost(small, 64));
    EXPECT_EQ(small, R"({"usage":{"total_tokens":1,"cost":0.000064}})");
    std::string largest = R"({"usage":{}})";
    ASSERT_TRUE(splice_usage_cost(largest, std::numeric_limits<std::int64_t>::max()));
    EXPECT_EQ(largest, R"({"usage":{"cost":9223372036854.775807}})");
    std::string smallest = R"({"usage":{}})";
    ASSERT_TRUE(splice_usage_cost(smallest, std::numeric_limits<std::int64_t>::min()));
    EXPECT_EQ(smallest, R"({"usage":{"cost":-9223372036854.775808}})");
}

}  // namespace
}  // namespace hadrian::api
