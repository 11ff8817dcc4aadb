// The summary of a chat completion passed through as text: the token counts of its usage and
// the first finish reason, read as a full parse would read them.
#include "hadrian/providers/chat_summary.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hadrian::providers {
namespace {

using json = nlohmann::json;

std::string completion_with_usage(const std::string& usage) {
    return R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o",)"
           R"("choices":[{"index":0,"message":{"role":"assistant","content":"hi"},)"
           R"("logprobs":null,"finish_reason":"stop"}],"usage":)" +
           usage + "}";
}

/// The member `key` of `usage` (and of its member `nested` when given) as a token count, as
/// api::read_usage reads it from a parsed body: a number as an integer, anything else 0.
std::int64_t count_of(const json& usage, const char* key, const char* nested = nullptr) {
    const json* at = &usage;
    if (nested != nullptr) {
        auto it = usage.find(nested);
        if (it == usage.end() || !it->is_object()) {
            return 0;
        }
        at = &*it;
    }
    auto it = at->find(key);
    return it == at->end() || !it->is_number() ? 0 : it->get<std::int64_t>();
}

void expect_same_counts(const std::string& usage) {
    const std::string text = completion_with_usage(usage);
    const auto f = chat_summary(text);
    ASSERT_TRUE(f.has_value()) << usage;
    const json full = json::parse(text)["usage"];
    EXPECT_EQ(f->usage, full.is_object()) << usage;
    if (!full.is_object()) {
        return;
    }
    EXPECT_EQ(f->prompt_tokens, count_of(full, "prompt_tokens")) << usage;
    EXPECT_EQ(f->completion_tokens, count_of(full, "completion_tokens")) << usage;
    EXPECT_EQ(f->cached_tokens, count_of(full, "cached_tokens", "prompt_tokens_details")) << usage;
    EXPECT_EQ(f->reasoning_tokens, count_of(full, "reasoning_tokens", "completion_tokens_details"))
        << usage;
    EXPECT_EQ(text.substr(f->usage_span.offset, f->usage_span.size), usage);
}

TEST(ChatSummary, KeepsTheTokenCountsAndTheFinishReason) {
    const std::string usage =
        R"({"prompt_tokens":24,"completion_tokens":20,"total_tokens":44,)"
        R"("prompt_tokens_details":{"cached_tokens":8,"audio_tokens":0},)"
        R"("completion_tokens_details":{"reasoning_tokens":3,"audio_tokens":0,)"
        R"("accepted_prediction_tokens":0,"rejected_prediction_tokens":0}})";
    const std::string text = completion_with_usage(usage);
    const auto f = chat_summary(text);
    ASSERT_TRUE(f.has_value());
    EXPECT_TRUE(f->usage);
    EXPECT_EQ(f->prompt_tokens, 24);
    EXPECT_EQ(f->completion_tokens, 20);
    EXPECT_EQ(f->cached_tokens, 8);
    EXPECT_EQ(f->reasoning_tokens, 3);
    EXPECT_EQ(f->finish_reason, "stop");
    EXPECT_EQ(text.substr(f->usage_span.offset, f->usage_span.size), usage);
}

TEST(ChatSummary, CountsReadAsAFullParseReadsThem) {
    for (const std::string usage : {
             R"({})",
             R"({ "prompt_tokens" : 0 , "completion_tokens" : 7 })",
             R"({"prompt_tokens":1.5,"completion_tokens":-3})",
             R"({"prompt_tokens":1e3,"completion_tokens":12345678901234567890})",
             R"({"prompt_tokens":123456789012345678,"completion_tokens":1234567890123456789})",
             R"({"prompt_tokens":"12","completion_tokens":null})",
             R"({"prompt_tokens":1,"prompt_tokens":2})",
             R"({"prompt_tokens_details":null,"completion_tokens_details":[1,2]})",
             R"({"prompt_tokens_details":{"cached_tokens":1},)"
             R"("prompt_tokens_details":{"audio_tokens":2}})",
             R"({"completion_tokens_details":{"reasoning_tokens":4,"reasoning_tokens":5}})",
             R"({"x":{"prompt_tokens":9},"prompt_tokens":2})",
             R"(null)",
             R"(5)",
         }) {
        expect_same_counts(usage);
    }
}

TEST(ChatSummary, FinishReasonReadAsAFullParseReadsIt) {
    for (const std::string reason : {R"("length")", R"("")", R"(null)", R"("con\u0074ent_filter")",
                                     R"("tab\tstop")", "\"caf\xc3\xa9\"", R"(3)", R"({"a":1})"}) {
        const std::string text = R"({"choices":[{"index":0,"finish_reason":)" + reason +
                                 R"(},{"index":1,"finish_reason":"stop"}]})";
        const auto f = chat_summary(text);
        ASSERT_TRUE(f.has_value()) << text;
        const json full = json::parse(text)["choices"][0]["finish_reason"];
        EXPECT_EQ(f->finish_reason, full.is_string() ? full.get<std::string>() : "") << text;
    }
}

TEST(ChatSummary, AbsentPartsStayAbsent) {
    const auto f = chat_summary(R"({"id":"x","object":"chat.completion"})");
    ASSERT_TRUE(f.has_value());
    EXPECT_FALSE(f->usage);
    EXPECT_EQ(f->finish_reason, "");
    const auto no_reason = chat_summary(R"({"choices":[{"index":0}],"usage":{}})");
    ASSERT_TRUE(no_reason.has_value());
    EXPECT_TRUE(no_reason->usage);
    EXPECT_EQ(no_reason->prompt_tokens, 0);
    EXPECT_EQ(no_reason->finish_reason, "");
}

TEST(ChatSummary, ReadsTheTopLevelUsageAndTheFirstChoiceOnly) {
    // Members of the same names deeper inside are content, not the figures.
    const std::string text =
        " \n{\"usage\" : {\"prompt_tokens\":1,\"x\":{\"completion_tokens\":9}},"
        R"("choices":[{"message":{"finish_reason":"tool_calls","usage":{"prompt_tokens":5}},)"
        R"("finish_reason":"length","finish_reason":"stop"},{"finish_reason":"stop"}]} )"
        "\r\n";
    const auto f = chat_summary(text);
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->prompt_tokens, 1);
    EXPECT_EQ(f->completion_tokens, 0);
    EXPECT_EQ(f->finish_reason, "length");
    EXPECT_EQ(text.substr(f->usage_span.offset, f->usage_span.size),
              R"({"prompt_tokens":1,"x":{"completion_tokens":9}})");
    const auto not_first = chat_summary(R"({"choices":[1,{"finish_reason":"stop"}]})");
    ASSERT_TRUE(not_first.has_value());
    EXPECT_EQ(not_first->finish_reason, "");
}

TEST(ChatSummary, InvalidTextIsRefused) {
    for (const std::string& text : {
             std::string("[]"),
             std::string(R"({"usage":{"prompt_tokens":1})"),
             completion_with_usage(R"({"prompt_tokens":01})"),
             completion_with_usage(R"({"prompt_tokens":tru})"),
             completion_with_usage(R"({"prompt_tokens_details":{"cached_tokens":1x}})"),
             completion_with_usage(R"({"prompt_tokens_details":nul})"),
             completion_with_usage("tru"),
             std::string(R"({"choices":[{"finish_reason":"a\x01"}]})"),
             std::string(R"({"usage":{}} x)"),
             std::string(R"({"choices":[{"index":0]})"),
         }) {
        EXPECT_FALSE(chat_summary(text).has_value()) << text;
    }
}

}  // namespace
}  // namespace hadrian::providers
