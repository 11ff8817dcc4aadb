#include "api/request_body.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

#include "unused_sink.hpp"

namespace hadrian::api {
namespace {

using providers::operation;

struct bad_row {
    operation op;
    const char* body;
    core::errc code;
    const char* param;  // nullptr: no param
};

TEST(PrepareRequest, RejectsBadBodiesWithTheFieldNamed) {
    const bad_row rows[] = {
        {operation::chat_completions, "{bad", core::errc::invalid_json, nullptr},
        {operation::chat_completions, "", core::errc::invalid_json, nullptr},
        {operation::chat_completions, "[1,2]", core::errc::validation_error, "body"},
        {operation::chat_completions, R"({"model":"m"})", core::errc::validation_error, "messages"},
        {operation::chat_completions, R"({"model":"m","messages":[]})",
         core::errc::validation_error, "messages"},
        {operation::chat_completions, R"({"model":"m","messages":"hi"})",
         core::errc::validation_error, "messages"},
        {operation::chat_completions, R"({"model":"m","messages":[{"content":"x"}]})",
         core::errc::validation_error, "messages[0].role"},
        {operation::chat_completions,
         R"({"model":"m","messages":[{"role":"user","content":"x"},{"role":"robot"}]})",
         core::errc::validation_error, "messages[1].role"},
        {operation::chat_completions, R"({"model":5,"messages":[{"role":"user"}]})",
         core::errc::validation_error, "model"},
        {operation::chat_completions, R"({"models":["a",1],"messages":[{"role":"user"}]})",
         core::errc::validation_error, "models"},
        {operation::chat_completions,
         R"({"model":"m","stream":"yes","messages":[{"role":"user"}]})",
         core::errc::validation_error, "stream"},
        {operation::chat_completions,
         R"({"model":"m","plugins":[{"id":"nope"}],"messages":[{"role":"user"}]})",
         core::errc::validation_error, "plugins"},
        {operation::chat_completions,
         R"({"model":"m","provider":"openai","messages":[{"role":"user"}]})",
         core::errc::validation_error, "provider"},
        {operation::responses, R"({"model":"m"})", core::errc::validation_error, "input"},
        {operation::responses, R"({"model":"m","input":5})", core::errc::validation_error, "input"},
        {operation::embeddings, R"({"model":"m","input":"x","stream":true})",
         core::errc::validation_error, "stream"},
    };
    for (const auto& r : rows) {
        auto res = prepare_request(r.op, r.body);
        ASSERT_FALSE(res.has_value()) << r.body;
        EXPECT_EQ(res.error().kind, r.code) << r.body;
        if (r.param == nullptr) {
            EXPECT_FALSE(res.error().param.has_value()) << r.body;
        } else {
            ASSERT_TRUE(res.error().param.has_value()) << r.body;
            EXPECT_EQ(*res.error().param, r.param) << r.body;
        }
    }
}

TEST(PrepareRequest, StripsGatewayExtensionsAndKeepsTheRest) {
    auto res = prepare_request(operation::chat_completions, R"({
        "model": "openai/gpt-4o", "models": ["a", "b"], "provider": {"order": ["x"]},
        "plugins": [{"id": "web"}], "temperature": 0.5, "stream": true,
        "stream_options": {"include_usage": true},
        "messages": [{"role": "user", "content": "hi"}]})");
    ASSERT_TRUE(res.has_value()) << res.error().message;
    EXPECT_EQ(res->model, "openai/gpt-4o");
    EXPECT_EQ(res->models, (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE(res->stream);
    EXPECT_TRUE(res->client_wants_usage);
    EXPECT_FALSE(res->body.contains("models"));
    EXPECT_FALSE(res->body.contains("provider"));
    EXPECT_FALSE(res->body.contains("plugins"));
    EXPECT_EQ(res->body["temperature"], 0.5);
    EXPECT_EQ(res->body["messages"][0]["content"], "hi");
}

TEST(PrepareRequest, UsageNotAskedFor) {
    auto res = prepare_request(operation::chat_completions,
                               R"({"model":"m","stream":true,"messages":[{"role":"user"}]})");
    ASSERT_TRUE(res.has_value());
    EXPECT_FALSE(res->client_wants_usage);
}

TEST(PrepareRequest, ResponsesAcceptStringAndArrayInput) {
    EXPECT_TRUE(prepare_request(operation::responses, R"({"model":"m","input":"hi"})"));
    EXPECT_TRUE(prepare_request(operation::responses,
                                R"({"model":"m","input":[{"role":"user","content":"hi"}]})"));
}

/// Whether `body` may go upstream as text; when it may, the raw model value must be found
/// where the span says.
bool passes_through(const std::string& body, operation op = operation::chat_completions) {
    auto res = prepare_request(op, body);
    EXPECT_TRUE(res.has_value()) << body << ": " << (res ? "" : res.error().message);
    if (!res || !res->raw_model) {
        return false;
    }
    EXPECT_EQ(body.substr(res->raw_model->offset, res->raw_model->size),
              std::string(*core::json_member_value(body, "model")))
        << body;
    return true;
}

TEST(PrepareRequest, PlainChatBodiesPassThroughAsText) {
    const std::string messages = R"("messages":[{"role":"user","content":"hi"}])";
    EXPECT_TRUE(passes_through(R"({"model":"m",)" + messages + "}"));
    EXPECT_TRUE(passes_through("{" + messages + R"(,"temperature":0,"model":"openai/m"})"));
    EXPECT_TRUE(passes_through("\n {\n  \"model\" : \"m\" ,\n  " + messages + "\n}\n"));
    EXPECT_TRUE(passes_through(R"({"model":null,)" + messages + "}"));
    EXPECT_TRUE(passes_through(R"({"mo\u0064el":"m",)" + messages + "}"));
    EXPECT_TRUE(passes_through(R"({"model":"m","stream":false,)" + messages + "}"));
    EXPECT_TRUE(passes_through(R"({"model":"m","stream":null,)" + messages + "}"));
    EXPECT_TRUE(passes_through(
        R"({"model":"m","stream":true,"stream_options":{"include_usage":true},)" + messages + "}"));
}

TEST(PrepareRequest, BodiesNeedingARewriteDoNotPassThrough) {
    const std::string messages = R"("messages":[{"role":"user","content":"hi"}])";
    const std::string rewritten[] = {
        // Extensions the gateway removes, present even as null; `top_k` is dropped upstream.
        R"({"model":"m","models":["a","b"],)" + messages + "}",
        R"({"model":"m","models":null,)" + messages + "}",
        R"({"model":"m","provider":{"order":["x"]},)" + messages + "}",
        R"({"model":"m","provider":null,)" + messages + "}",
        R"({"model":"m","plugins":[{"id":"web"}],)" + messages + "}",
        R"({"model":"m","plugins":null,)" + messages + "}",
        R"({"model":"m","top_k":5,)" + messages + "}",
        // No model member: the gateway adds one.
        R"({"models":["a"],)" + messages + "}",
        "{" + messages + "}",
        // Streams whose own options do not ask for usage get it added to them.
        R"({"model":"m","stream":true,"stream_options":{},)" + messages + "}",
        R"({"model":"m","stream":true,"stream_options":null,)" + messages + "}",
        R"({"model":"m","stream":true,"stream_options":{"include_usage":false},)" + messages + "}",
        R"({"model":"m","stream":true,"stream_options":{"include_usage":false,)"
        R"("include_usage":true},)" +
            messages + "}",
        // A repeated member: the parsed body keeps only one of them.
        R"({"model":"a","model":"b",)" + messages + "}",
        R"({"model":"m","stream":false,"stream":true,)"
        R"("stream_options":{"include_usage":true},)" +
            messages + "}",
        R"({"model":"m","n":1,"n":2,)" + messages + "}",
    };
    for (const auto& body : rewritten) {
        EXPECT_FALSE(passes_through(body)) << body;
    }
}

TEST(PrepareRequest, AStreamWithoutStreamOptionsPassesThroughWithTheUsageOptionAdded) {
    const std::string messages = R"("messages":[{"role":"user","content":"hi"}])";
    struct row {
        std::string body;
        bool text_only;  // scanned, or parsed (a subnormal number is the parser's call)
        bool add;
    };
    const row rows[] = {
        {R"({"model":"m","stream":true,)" + messages + "}", true, true},
        {R"({"model":"m","stream":true,"temperature":1e-400,)" + messages + "}", false, true},
        {R"({"model":"m","stream":true,"stream_options":{"include_usage":true},)" + messages + "}",
         true, false},
        {R"({"model":"m","stream":false,)" + messages + "}", true, false},
        {R"({"model":"m",)" + messages + "}", true, false},
    };
    for (const auto& r : rows) {
        ASSERT_TRUE(passes_through(r.body)) << r.body;
        const auto res = prepare_request(operation::chat_completions, r.body);
        EXPECT_EQ(res->text_only, r.text_only) << r.body;
        EXPECT_EQ(res->add_usage_option, r.add) << r.body;
        EXPECT_FALSE(res->client_wants_usage && r.add) << r.body;
    }
}

/// The fields prepare_request reads, as the parser reads them from `body`.
void expect_fields_as_parsed(const std::string& body, const prepared_request& res) {
    const auto doc = nlohmann::json::parse(body);
    EXPECT_EQ(res.model, doc.value("model", std::string())) << body;
    EXPECT_EQ(res.stream, doc.contains("stream") && doc["stream"] == true) << body;
    const bool usage = doc.contains("stream_options") && doc["stream_options"].is_object() &&
                       doc["stream_options"].value("include_usage", false);
    EXPECT_EQ(res.client_wants_usage, usage) << body;
    EXPECT_TRUE(res.models.empty()) << body;
}

TEST(PrepareRequest, PlainChatBodiesAreCheckedWithoutParsing) {
    const std::string bodies[] = {
        R"({"model":"openai/gpt-4o","messages":[{"role":"user","content":"hi"}]})",
        R"({"messages":[{"role":"system","content":"be \"brief\"\n"},{"role":"user",)"
        R"("content":[{"type":"text","text":"caf\u00e9 \uD83D\uDE00"},{"type":"image_url",)"
        R"("image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}],"model":"m",)"
        R"("temperature":0.2,"max_tokens":100,"stop":null,"n":1})",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"\xC3\xA9\"}]}",
        R"({"model":"m","stream":true,"stream_options":{"include_usage":true},)"
        R"("messages":[{"role":"developer","content":"x"},{"role":"assistant","tool_calls":[]},)"
        R"({"role":"tool","tool_call_id":"c","content":"{}"}]})",
        R"({"model":"m","stream":false,"stream_options":null,"messages":[{"role":"user"}]})",
        R"({"model":"a\/b","stream":null,"messages":[{"role":"user"}]})",
    };
    for (const auto& body : bodies) {
        auto res = prepare_request(operation::chat_completions, body);
        ASSERT_TRUE(res.has_value()) << body << ": " << res.error().message;
        EXPECT_TRUE(res->text_only) << body;
        EXPECT_TRUE(res->body.is_null()) << body;
        ASSERT_TRUE(res->raw_model.has_value()) << body;
        EXPECT_EQ(body.substr(res->raw_model->offset, res->raw_model->size),
                  std::string(*core::json_member_value(body, "model")));
        expect_fields_as_parsed(body, *res);
    }
}

TEST(PrepareRequest, UnusualBodiesAreParsed) {
    const std::string messages = R"("messages":[{"role":"user","content":"hi"}])";
    const std::string parsed[] = {
        R"({"mo\u0064el":"m",)" + messages + "}",  // an escaped member name
        R"({"model":null,)" + messages + "}",
        R"({"model":"m","messages":[{"role":"user","role":"user"}]})",
        R"({"model":"m","temperature":1e-400,)" + messages + "}",  // subnormal: the parser's call
        "\xEF\xBB\xBF{\"model\":\"m\"," + messages + "}",          // a byte-order mark
        R"({"model":"m","stream":false,"stream_options":{"include_usage":true,)"
        R"("include_usage":false},)" +
            messages + "}",
    };
    for (const auto& body : parsed) {
        auto res = prepare_request(operation::chat_completions, body);
        ASSERT_TRUE(res.has_value()) << body << ": " << res.error().message;
        EXPECT_FALSE(res->text_only) << body;
        EXPECT_TRUE(res->body.is_object()) << body;
    }
}

TEST(PrepareRequest, ErrorsInsidePlainLookingBodiesAreFound) {
    const bad_row rows[] = {
        {operation::chat_completions,
         "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\x01\"}]}",
         core::errc::invalid_json, nullptr},
        {operation::chat_completions,
         "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"\xC3\"}]}",
         core::errc::invalid_json, nullptr},
        {operation::chat_completions, R"({"model":"m","messages":[{"role":"user"}],"n":01})",
         core::errc::invalid_json, nullptr},
        {operation::chat_completions, R"({"model":"m","messages":[{"role":"user"},"hi"]})",
         core::errc::validation_error, "messages[1]"},
        {operation::chat_completions, R"({"model":"m","messages":[{"role":"user","role":5}]})",
         core::errc::validation_error, "messages[0].role"},
        {operation::chat_completions, R"({"model":"m","stream":1,"messages":[{"role":"user"}]})",
         core::errc::validation_error, "stream"},
        {operation::chat_completions,
         R"({"model":"m","stream_options":true,"messages":[{"role":"user"}]})",
         core::errc::validation_error, "stream_options"},
    };
    for (const auto& r : rows) {
        auto res = prepare_request(r.op, r.body);
        ASSERT_FALSE(res.has_value()) << r.body;
        EXPECT_EQ(res.error().kind, r.code) << r.body;
        if (r.param != nullptr) {
            ASSERT_TRUE(res.error().param.has_value()) << r.body;
            EXPECT_EQ(*res.error().param, r.param) << r.body;
        }
    }
}

TEST(PrepareRequest, OnlyChatCompletionsPassThrough) {
    EXPECT_FALSE(passes_through(R"({"model":"m","input":"hi"})", operation::responses));
    EXPECT_FALSE(passes_through(R"({"model":"m","input":"hi"})", operation::embeddings));
}

TEST(PrepareRequest, OutputBoundIsReadAlikeOnBothPaths) {
    // The scan of a plain chat body, the parse of a chat body with an extension, and the
    // parse of a Responses body must read the same bound from the same members.
    const std::pair<std::string, std::int64_t> rows[] = {
        {"", 0},
        {R"("max_tokens":64,)", 64},
        {R"("max_completion_tokens":10,"max_tokens":64,)", 10},
        {R"("max_tokens":64,"max_completion_tokens":0,)", 64},
        {R"("max_output_tokens":7,)", 7},
        {R"("max_output_tokens":7,"max_tokens":8,)", 8},
        {R"("max_tokens":-5,)", 0},
        {R"("max_tokens":6.5,)", 0},
        {R"("max_tokens":1e3,)", 0},
        {R"("max_tokens":"64",)", 0},
        {R"("max_tokens":null,"max_output_tokens":3,)", 3},
        {R"("max_tokens":9223372036854775807,)", INT64_MAX},
        {R"("max_tokens":9223372036854775808,)", 0},
        {R"("max_tokens_extra":5,"max_":6,)", 0},
    };
    const std::string messages = R"("messages":[{"role":"user","content":"hi"}])";
    for (const auto& [members, bound] : rows) {
        const std::string plain = "{" + members + R"("model":"m",)" + messages + "}";
        auto scanned = prepare_request(operation::chat_completions, plain);
        ASSERT_TRUE(scanned.has_value()) << plain;
        EXPECT_TRUE(scanned->text_only) << plain;
        EXPECT_EQ(scanned->output_bound, bound) << plain;

        const std::string extended = "{" + members + R"("models":["m"],)" + messages + "}";
        auto parsed = prepare_request(operation::chat_completions, extended);
        ASSERT_TRUE(parsed.has_value()) << extended;
        EXPECT_FALSE(parsed->text_only) << extended;
        EXPECT_EQ(parsed->output_bound, bound) << extended;

        const std::string responses = "{" + members + R"("model":"m","input":"hi"})";
        auto response = prepare_request(operation::responses, responses);
        ASSERT_TRUE(response.has_value()) << responses;
        EXPECT_EQ(response->output_bound, bound) << responses;
    }
}

using test_support::unused_sink;

TEST(PreparedFor, PreparesOnceAndHandsTheOutcomeToTheHandler) {
    core::http_request req;
    req.body() = R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})";
    unused_sink sink;
    auth::key_hash_memo key_memo;
    request_context ctx(req, sink, "127.0.0.1", key_memo);

    const auto& first = prepared_for(ctx, operation::chat_completions);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->output_bound, 5);
    // The body changes under it: a second call gives the first outcome, not a new one.
    req.body() = "not json";
    const auto& again = prepared_for(ctx, operation::chat_completions);
    EXPECT_EQ(&again, &first);
    auto taken = take_prepared(ctx, operation::chat_completions);
    ASSERT_TRUE(taken.has_value());
    EXPECT_EQ(taken->model, "m");
    EXPECT_EQ(ctx.prepared, nullptr);

    // Nothing kept: the handler prepares the body itself, and finds its error.
    auto fresh = take_prepared(ctx, operation::chat_completions);
    ASSERT_FALSE(fresh.has_value());
    EXPECT_EQ(fresh.error().kind, core::errc::invalid_json);

    // Another operation's outcome is not handed over.
    req.body() = R"({"model":"m","input":"hi"})";
    ASSERT_FALSE(prepared_for(ctx, operation::chat_completions).has_value());
    auto other = take_prepared(ctx, operation::responses);
    ASSERT_TRUE(other.has_value());
    EXPECT_EQ(other->model, "m");
}

}  // namespace
}  // namespace hadrian::api
