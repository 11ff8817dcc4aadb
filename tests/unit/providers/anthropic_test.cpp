// Anthropic translation: requests out, answers, stream events and errors in (recorded fixtures).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "providers/anthropic_stream.hpp"
#include "providers/anthropic_translate.hpp"

namespace hadrian::providers {
namespace {

using nlohmann::json;

json fixture(const std::string& name) {
    std::ifstream in(std::string(HADRIAN_SOURCE_DIR) + "/tests/fixtures/anthropic/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
}

json translate(const json& chat, std::uint32_t default_max = 4096) {
    auto r = anthropic_request(chat, "claude-sonnet-4-20250514", default_max);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : json();
}

core::api_error translate_error(const json& chat) {
    auto r = anthropic_request(chat, "claude-sonnet-4-20250514", 4096);
    EXPECT_FALSE(r.has_value());
    return r ? core::api_error{} : r.error();
}

json user(const std::string& text) { return {{"role", "user"}, {"content", text}}; }

json text(const std::string& t) { return {{"type", "text"}, {"text", t}}; }

// ---------------------------------------------------------------------------------------
// Requests

TEST(AnthropicRequest, SystemAndDeveloperBecomeSystemDefaultsApply) {
    const json chat = {{"model", "claude"},
                       {"messages",
                        {{{"role", "system"}, {"content", "Be brief."}},
                         {{"role", "developer"}, {"content", {text("Use metric"), text("units")}}},
                         user("Hi")}}};
    const json expected = {{"model", "claude-sonnet-4-20250514"},
                           {"system", "Be brief.\n\nUse metric\nunits"},
                           {"messages", {{{"role", "user"}, {"content", {text("Hi")}}}}},
                           {"max_tokens", 4096}};
    EXPECT_EQ(translate(chat), expected);
    EXPECT_EQ(translate(chat, 1000)["max_tokens"], 1000);
}

TEST(AnthropicRequest, ConsecutiveSameRoleMessagesMerge) {
    const json chat = {{"messages",
                        {user("a"),
                         user("b"),
                         {{"role", "assistant"}, {"content", "c"}},
                         {{"role", "assistant"}, {"content", ""}},
                         {{"role", "assistant"}, {"content", "d"}}}}};
    const json expected = {{{"role", "user"}, {"content", {text("a"), text("b")}}},
                           {{"role", "assistant"}, {"content", {text("c"), text("d")}}}};
    EXPECT_EQ(translate(chat)["messages"], expected);
}

TEST(AnthropicRequest, ToolCallsAndResults) {
    const json call = {
        {"id", "toolu_1"},
        {"type", "function"},
        {"function", {{"name", "get_weather"}, {"arguments", "{\"location\":\"Paris\"}"}}}};
    const json call2 = {{"id", "toolu_2"},
                        {"type", "function"},
                        {"function", {{"name", "now"}, {"arguments", ""}}}};
    const json chat = {
        {"messages",
         {user("Weather?"),
          {{"role", "assistant"}, {"content", "Checking."}, {"tool_calls", {call, call2}}},
          {{"role", "tool"}, {"tool_call_id", "toolu_1"}, {"content", "18C"}},
          {{"role", "tool"}, {"tool_call_id", "toolu_2"}, {"content", {text("noon")}}},
          user("Thanks")}}};
    const json expected = {
        {{"role", "user"}, {"content", {text("Weather?")}}},
        {{"role", "assistant"},
         {"content",
          {text("Checking."),
           {{"type", "tool_use"},
            {"id", "toolu_1"},
            {"name", "get_weather"},
            {"input", {{"location", "Paris"}}}},
           {{"type", "tool_use"}, {"id", "toolu_2"}, {"name", "now"}, {"input", json::object()}}}}},
        {{"role", "user"},
         {"content",
          {{{"type", "tool_result"}, {"tool_use_id", "toolu_1"}, {"content", "18C"}},
           {{"type", "tool_result"}, {"tool_use_id", "toolu_2"}, {"content", {text("noon")}}},
           text("Thanks")}}}};
    EXPECT_EQ(translate(chat)["messages"], expected);
}

TEST(AnthropicRequest, UnparsableToolArgumentsAre400) {
    const json call = {{"id", "t"},
                       {"type", "function"},
                       {"function", {{"name", "f"}, {"arguments", "{not json"}}}};
    const json chat = {{"messages", {user("x"), {{"role", "assistant"}, {"tool_calls", {call}}}}}};
    const auto err = translate_error(chat);
    EXPECT_EQ(err.status, 400);
    EXPECT_EQ(err.code, "validation_error");
    EXPECT_EQ(err.param.value_or(""), "messages[1].tool_calls");
}

TEST(AnthropicRequest, Images) {
    const json parts = {
        text("What is this?"),
        {{"type", "image_url"}, {"image_url", {{"url", "data:image/png;base64,iVBORw0KGgo="}}}},
        {{"type", "image_url"}, {"image_url", {{"url", "https://example.com/cat.jpg"}}}}};
    const json chat = {{"messages", {{{"role", "user"}, {"content", parts}}}}};
    const json expected = {
        text("What is this?"),
        {{"type", "image"},
         {"source", {{"type", "base64"}, {"media_type", "image/png"}, {"data", "iVBORw0KGgo="}}}},
        {{"type", "image"}, {"source", {{"type", "url"}, {"url", "https://example.com/cat.jpg"}}}}};
    EXPECT_EQ(translate(chat)["messages"][0]["content"], expected);

    const json bad = {
        {"messages",
         {{{"role", "user"},
           {"content", {{{"type", "image_url"}, {"image_url", {{"url", "ftp://x/y"}}}}}}}}}};
    EXPECT_EQ(translate_error(bad).code, "validation_error");
    const json audio = {
        {"messages",
         {{{"role", "user"}, {"content", {{{"type", "input_audio"}, {"input_audio", {}}}}}}}}};
    EXPECT_EQ(translate_error(audio).code, "validation_error");
}

TEST(AnthropicRequest, ToolsAndToolChoice) {
    const json tool = {{"type", "function"},
                       {"function",
                        {{"name", "get_weather"},
                         {"description", "Weather"},
                         {"parameters", {{"type", "object"}, {"properties", {{"q", {}}}}}}}}};
    const json bare = {{"type", "function"}, {"function", {{"name", "now"}}}};
    json chat = {{"messages", {user("x")}}, {"tools", {tool, bare}}};
    json out = translate(chat);
    const json expected_tools = {
        {{"name", "get_weather"},
         {"description", "Weather"},
         {"input_schema", {{"type", "object"}, {"properties", {{"q", {}}}}}}},
        {{"name", "now"}, {"input_schema", {{"type", "object"}, {"properties", json::object()}}}}};
    EXPECT_EQ(out["tools"], expected_tools);
    EXPECT_FALSE(out.contains("tool_choice"));

    const std::vector<std::pair<json, json>> cases = {
        {"auto", {{"type", "auto"}}},
        {"required", {{"type", "any"}}},
        {"none", {{"type", "none"}}},
        {{{"type", "function"}, {"function", {{"name", "now"}}}},
         {{"type", "tool"}, {"name", "now"}}},
    };
    for (const auto& [choice, want] : cases) {
        chat["tool_choice"] = choice;
        EXPECT_EQ(translate(chat)["tool_choice"], want) << choice.dump();
    }
    chat["tool_choice"] = "required";
    chat["parallel_tool_calls"] = false;
    const json no_parallel = {{"type", "any"}, {"disable_parallel_tool_use", true}};
    EXPECT_EQ(translate(chat)["tool_choice"], no_parallel);
    chat.erase("tool_choice");
    const json auto_no_parallel = {{"type", "auto"}, {"disable_parallel_tool_use", true}};
    EXPECT_EQ(translate(chat)["tool_choice"], auto_no_parallel);
}

TEST(AnthropicRequest, SamplingStopUserStreamAndDroppedFields) {
    const json chat = {{"messages", {user("x")}},
                       {"max_tokens", 50},
                       {"max_completion_tokens", 100},
                       {"temperature", 0.5},
                       {"top_p", 0.9},
                       {"top_k", 40},
                       {"stop", "END"},
                       {"user", "u-1"},
                       {"stream", true},
                       {"stream_options", {{"include_usage", true}}},
                       {"frequency_penalty", 0.1},
                       {"presence_penalty", 0.1},
                       {"logprobs", true},
                       {"seed", 7},
                       {"n", 1},
                       {"response_format", {{"type", "json_object"}}}};
    const json expected = {{"model", "claude-sonnet-4-20250514"},
                           {"messages", {{{"role", "user"}, {"content", {text("x")}}}}},
                           {"max_tokens", 100},
                           {"temperature", 0.5},
                           {"top_p", 0.9},
                           {"top_k", 40},
                           {"stop_sequences", {"END"}},
                           {"metadata", {{"user_id", "u-1"}}},
                           {"stream", true}};
    EXPECT_EQ(translate(chat), expected);

    json arr = {{"messages", {user("x")}}, {"stop", {"a", "b"}}, {"max_tokens", 10}};
    const json stops = {"a", "b"};
    EXPECT_EQ(translate(arr)["stop_sequences"], stops);
    EXPECT_EQ(translate(arr)["max_tokens"], 10);
}

TEST(AnthropicRequest, ReasoningEffortEnablesThinking) {
    struct row {
        std::string effort;
        json max_tokens;  // null: default
        std::int64_t budget;
        std::int64_t want_max;
    };
    const std::vector<row> rows = {
        {"low", nullptr, 1024, 4096},
        {"medium", nullptr, 4096, 8192},  // raised above the budget
        {"high", nullptr, 16384, 20480},
        {"high", 32000, 16384, 32000},
        {"minimal", 500, 1024, 1524},
    };
    for (const auto& r : rows) {
        json chat = {{"messages", {user("x")}},
                     {"reasoning_effort", r.effort},
                     {"temperature", 0.2},
                     {"top_k", 5}};
        if (!r.max_tokens.is_null()) {
            chat["max_completion_tokens"] = r.max_tokens;
        }
        const json out = translate(chat);
        const json thinking = {{"type", "enabled"}, {"budget_tokens", r.budget}};
        EXPECT_EQ(out["thinking"], thinking) << r.effort;
        EXPECT_EQ(out["max_tokens"], r.want_max) << r.effort;
        EXPECT_FALSE(out.contains("temperature"));
        EXPECT_FALSE(out.contains("top_k"));
    }
    json none = {{"messages", {user("x")}}, {"reasoning_effort", "none"}};
    EXPECT_FALSE(translate(none).contains("thinking"));
    none["reasoning_effort"] = "extreme";
    EXPECT_EQ(translate_error(none).param.value_or(""), "reasoning_effort");
}

TEST(AnthropicRequest, RejectsWhatAnthropicCannotDo) {
    const json n2 = {{"messages", {user("x")}}, {"n", 2}};
    auto err = translate_error(n2);
    EXPECT_EQ(err.status, 400);
    EXPECT_EQ(err.code, "validation_error");
    EXPECT_EQ(err.message, "n > 1 is not supported");
    EXPECT_EQ(err.param.value_or(""), "n");

    EXPECT_EQ(translate_error({{"messages", "hi"}}).param.value_or(""), "messages");
    const json fn_role = {{"messages", {{{"role", "function"}, {"content", "x"}}}}};
    EXPECT_EQ(translate_error(fn_role).param.value_or(""), "messages[0].role");
    const json bad_max = {{"messages", {user("x")}}, {"max_tokens", 0}};
    EXPECT_EQ(translate_error(bad_max).param.value_or(""), "max_tokens");
}

// ---------------------------------------------------------------------------------------
// Responses

json chat_of(const std::string& name) {
    json out = anthropic_to_chat(fixture(name)["response"]["body"], "claude-sonnet-4-20250514");
    EXPECT_TRUE(out["created"].is_number_integer());
    out.erase("created");
    return out;
}

json usage(std::int64_t in, std::int64_t out) {
    return {{"prompt_tokens", in},
            {"completion_tokens", out},
            {"total_tokens", in + out},
            {"prompt_tokens_details", {{"cached_tokens", 0}, {"cache_write_tokens", 0}}}};
}

json completion(const std::string& id, json message, const std::string& finish, json u) {
    return {{"id", "chatcmpl-" + id},
            {"object", "chat.completion"},
            {"model", "claude-sonnet-4-20250514"},
            {"choices",
             {{{"index", 0},
               {"message", std::move(message)},
               {"logprobs", nullptr},
               {"finish_reason", finish}}}},
            {"usage", std::move(u)}};
}

json assistant(const json& content) {
    return {{"role", "assistant"}, {"content", content}, {"refusal", nullptr}};
}

TEST(AnthropicResponse, TextFixtures) {
    const json body = fixture("messages_success.json")["response"]["body"];
    EXPECT_EQ(chat_of("messages_success.json"),
              completion("msg_016Pz7UZRFUZh4cqQN5Lefox",
                         assistant("2\n3\n5\n7\n11\n13\n17\n19\n23\n29"), "stop", usage(25, 23)));
    for (const std::string name : {"vision_success.json", "tool_call_with_result.json"}) {
        const json b = fixture(name)["response"]["body"];
        const json want = completion(
            b["id"].get<std::string>(), assistant(b["content"][0]["text"]), "stop",
            usage(b["usage"]["input_tokens"].get<int>(), b["usage"]["output_tokens"].get<int>()));
        EXPECT_EQ(chat_of(name), want) << name;
    }
}

TEST(AnthropicResponse, ToolCallFixture) {
    json msg = assistant("I'll get the current weather information for San Francisco for you.");
    msg["tool_calls"] = {
        {{"id", "toolu_01G8tqBVUi6LwtiuWHMpN9PU"},
         {"type", "function"},
         {"function",
          {{"name", "get_weather"}, {"arguments", "{\"location\":\"San Francisco, USA\"}"}}}}};
    EXPECT_EQ(chat_of("tool_call_success.json"),
              completion("msg_01Lf15fXTQ1gB5tPZr77SAWr", msg, "tool_calls", usage(430, 70)));
}

TEST(AnthropicResponse, ThinkingFixture) {
    const json b = fixture("thinking_success.json")["response"]["body"];
    json msg = assistant(b["content"][1]["text"]);
    msg["reasoning"] = b["content"][0]["thinking"];
    EXPECT_EQ(chat_of("thinking_success.json"),
              completion("msg_015ysdzszhZ5QaQC1RaxaHL4", msg, "stop", usage(52, 1378)));
}

TEST(AnthropicResponse, ToolOnlyAnswerHasNullContentAndCacheUsage) {
    const json body = {
        {"id", "msg_1"},
        {"content", {{{"type", "tool_use"}, {"id", "t1"}, {"name", "f"}, {"input", {}}}}},
        {"stop_reason", "tool_use"},
        {"usage",
         {{"input_tokens", 10},
          {"cache_read_input_tokens", 100},
          {"cache_creation_input_tokens", 20},
          {"output_tokens", 5}}}};
    const json out = anthropic_to_chat(body, "m");
    EXPECT_TRUE(out["choices"][0]["message"]["content"].is_null());
    EXPECT_EQ(out["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"], "{}");
    const json want = {
        {"prompt_tokens", 130},
        {"completion_tokens", 5},
        {"total_tokens", 135},
        {"prompt_tokens_details", {{"cached_tokens", 100}, {"cache_write_tokens", 20}}}};
    EXPECT_EQ(out["usage"], want);
}

TEST(AnthropicResponse, FinishReasons) {
    EXPECT_EQ(anthropic_finish_reason("end_turn"), "stop");
    EXPECT_EQ(anthropic_finish_reason("stop_sequence"), "stop");
    EXPECT_EQ(anthropic_finish_reason("max_tokens"), "length");
    EXPECT_EQ(anthropic_finish_reason("tool_use"), "tool_calls");
    EXPECT_EQ(anthropic_finish_reason("refusal"), "content_filter");
    EXPECT_EQ(anthropic_finish_reason("pause_turn"), "stop");
}

// ---------------------------------------------------------------------------------------
// Errors

TEST(AnthropicError, FixturesKeepStatusTypeAndMessage) {
    const json bad = fixture("bad_request.json")["response"];
    auto err = anthropic_error(bad["status"].get<int>(), bad["body"].dump(), core::header_fields{});
    EXPECT_EQ(err.status, 404);
    EXPECT_EQ(err.code, "not_found_error");
    EXPECT_EQ(err.type, "invalid_request_error");
    EXPECT_EQ(err.message, "model: invalid-model-that-does-not-exist");

    const json unauth = fixture("unauthorized.json")["response"];
    err =
        anthropic_error(unauth["status"].get<int>(), unauth["body"].dump(), core::header_fields{});
    EXPECT_EQ(err.status, 401);
    EXPECT_EQ(err.code, "authentication_error");
    EXPECT_EQ(err.type, "authentication_error");
    EXPECT_EQ(err.message, "invalid x-api-key");
}

TEST(AnthropicError, OverloadedKeeps529AndRetryAfter) {
    core::header_fields headers;
    headers.add("Retry-After", "3");
    auto err = anthropic_error(
        529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})",
        headers);
    EXPECT_EQ(err.status, 529);
    EXPECT_EQ(err.code, "overloaded_error");
    EXPECT_EQ(err.type, "server_error");
    EXPECT_EQ(err.message, "Overloaded");
    ASSERT_EQ(err.headers.size(), 1u);
    EXPECT_EQ(err.headers[0].second, "3");

    err = anthropic_error(502, "<html>bad gateway</html>", core::header_fields{});
    EXPECT_EQ(err.status, 502);
    EXPECT_NE(err.message.find("bad gateway"), std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Streams

/// The chunks of a fixture's stream, fed one event at a time.
std::vector<json> stream_by_event(const json& fx) {
    anthropic_chunk_translator t("claude-sonnet-4-20250514");
    std::vector<std::string> out;
    for (const auto& ev : fx["response"]["chunks"]) {
        EXPECT_TRUE(t.feed_event(ev.dump(), out).has_value());
    }
    EXPECT_TRUE(t.complete());
    EXPECT_TRUE(t.finish().has_value());
    std::vector<json> chunks;
    for (const auto& c : out) {
        chunks.push_back(json::parse(c));
    }
    return chunks;
}

/// The fixture as SSE bytes, as Anthropic frames it.
std::string sse_bytes(const json& fx) {
    std::string raw;
    for (const auto& ev : fx["response"]["chunks"]) {
        raw += "event: " + ev["type"].get<std::string>() + "\ndata: " + ev.dump() + "\n\n";
    }
    return raw;
}

/// The chunks of SSE bytes fed in random pieces; `pieces_seen` counts the feeds that
/// produced chunks.
std::vector<json> stream_by_bytes(const std::string& raw, unsigned seed) {
    anthropic_chunk_translator t("claude-sonnet-4-20250514");
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> len(1, 40);
    std::vector<std::string> out;
    for (std::size_t pos = 0; pos < raw.size();) {
        const std::size_t n = std::min(len(rng), raw.size() - pos);
        EXPECT_TRUE(t.feed_bytes(std::string_view(raw).substr(pos, n), out).has_value());
        pos += n;
    }
    EXPECT_TRUE(t.finish().has_value());
    std::vector<json> chunks;
    for (const auto& c : out) {
        chunks.push_back(json::parse(c));
    }
    return chunks;
}

/// Checks the envelope of every chunk and returns the `choices` (or usage) part only.
std::vector<json> strip(const std::vector<json>& chunks, const std::string& msg_id) {
    std::vector<json> out;
    for (const auto& c : chunks) {
        EXPECT_EQ(c["id"], "chatcmpl-" + msg_id);
        EXPECT_EQ(c["object"], "chat.completion.chunk");
        EXPECT_EQ(c["model"], "claude-sonnet-4-20250514");
        EXPECT_TRUE(c["created"].is_number_integer());
        if (c["choices"].empty()) {
            out.push_back({{"usage", c["usage"]}});
        } else {
            EXPECT_EQ(c["choices"].size(), 1u);
            EXPECT_EQ(c["choices"][0]["index"], 0);
            EXPECT_FALSE(c.contains("usage"));
            out.push_back({{"delta", c["choices"][0]["delta"]},
                           {"finish_reason", c["choices"][0]["finish_reason"]}});
        }
    }
    return out;
}

json delta(json d) { return {{"delta", std::move(d)}, {"finish_reason", nullptr}}; }

json finish(const std::string& reason) {
    return {{"delta", json::object()}, {"finish_reason", reason}};
}

json usage_chunk(std::int64_t in, std::int64_t out) { return {{"usage", usage(in, out)}}; }

const json role_chunk = delta({{"role", "assistant"}, {"content", ""}});

std::vector<json> text_stream_expected() {
    return {role_chunk,
            delta({{"content", "1\n2\n3\n4"}}),
            delta({{"content", "\n5\n6\n7\n8"}}),
            delta({{"content", "\n9\n10\n11\n12"}}),
            delta({{"content", "\n13\n14\n15\n16"}}),
            delta({{"content", "\n17\n18\n19\n20"}}),
            finish("stop"),
            usage_chunk(26, 43)};
}

json args(int index, const std::string& part) {
    return delta({{"tool_calls", {{{"index", index}, {"function", {{"arguments", part}}}}}}});
}

std::vector<json> tool_stream_expected() {
    const json start = {{"index", 0},
                        {"id", "toolu_01CrDpqCnCcENcbABqdJCQSt"},
                        {"type", "function"},
                        {"function", {{"name", "get_weather"}, {"arguments", ""}}}};
    return {role_chunk,
            delta({{"content", "I'll get"}}),
            delta({{"content", " the current weather in San Francisco for you"}}),
            delta({{"content", "."}}),
            delta({{"tool_calls", {start}}}),
            args(0, "{\"locati"),
            args(0, "on\": \"San "),
            args(0, "Francisco,"),
            args(0, " USA\"}"),
            finish("tool_calls"),
            usage_chunk(430, 69)};
}

TEST(AnthropicStream, TextFixtureEventByEvent) {
    const json fx = fixture("messages_streaming.json");
    EXPECT_EQ(strip(stream_by_event(fx), "msg_01XiFejs6jPe7h1KMtTQoYSo"), text_stream_expected());
}

TEST(AnthropicStream, ToolFixtureEventByEventStreamsArgumentsIncrementally) {
    const json fx = fixture("tool_call_streaming.json");
    // Four argument fragments, four chunks: never one burst at the end.
    EXPECT_EQ(strip(stream_by_event(fx), "msg_018RcZYfKHgnv7WfvrrPUokJ"), tool_stream_expected());
}

TEST(AnthropicStream, RawBytesSplitAnywhere) {
    const json text_fx = fixture("messages_streaming.json");
    const json tool_fx = fixture("tool_call_streaming.json");
    const std::string text_raw = sse_bytes(text_fx);
    const std::string tool_raw = sse_bytes(tool_fx);
    for (unsigned seed = 1; seed <= 50; ++seed) {
        EXPECT_EQ(strip(stream_by_bytes(text_raw, seed), "msg_01XiFejs6jPe7h1KMtTQoYSo"),
                  text_stream_expected())
            << "seed " << seed;
        EXPECT_EQ(strip(stream_by_bytes(tool_raw, seed), "msg_018RcZYfKHgnv7WfvrrPUokJ"),
                  tool_stream_expected())
            << "seed " << seed;
    }
    // Every single-byte split, and CRLF framing.
    anthropic_chunk_translator t("claude-sonnet-4-20250514");
    std::vector<std::string> out;
    std::string crlf;
    for (const char c : tool_raw) {
        crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    }
    for (const char c : crlf) {
        ASSERT_TRUE(t.feed_bytes(std::string_view(&c, 1), out).has_value());
    }
    EXPECT_TRUE(t.complete());
    EXPECT_EQ(out.size(), tool_stream_expected().size());
}

TEST(AnthropicStream, ThinkingAndSecondToolCallIndexes) {
    anthropic_chunk_translator t("m");
    std::vector<std::string> out;
    const std::vector<json> events = {
        {{"type", "message_start"},
         {"message",
          {{"id", "msg_x"}, {"usage", {{"input_tokens", 5}, {"cache_read_input_tokens", 2}}}}}},
        {{"type", "content_block_start"},
         {"index", 0},
         {"content_block", {{"type", "thinking"}, {"thinking", ""}}}},
        {{"type", "content_block_delta"},
         {"index", 0},
         {"delta", {{"type", "thinking_delta"}, {"thinking", "Hmm"}}}},
        {{"type", "content_block_delta"},
         {"index", 0},
         {"delta", {{"type", "signature_delta"}, {"signature", "sig"}}}},
        {{"type", "content_block_stop"}, {"index", 0}},
        {{"type", "content_block_start"},
         {"index", 1},
         {"content_block",
          {{"type", "tool_use"}, {"id", "a"}, {"name", "f"}, {"input", json::object()}}}},
        {{"type", "content_block_start"},
         {"index", 2},
         {"content_block",
          {{"type", "tool_use"}, {"id", "b"}, {"name", "g"}, {"input", json::object()}}}},
        {{"type", "content_block_delta"},
         {"index", 2},
         {"delta", {{"type", "input_json_delta"}, {"partial_json", "{}"}}}},
        {{"type", "message_delta"},
         {"delta", {{"stop_reason", "max_tokens"}}},
         {"usage", {{"output_tokens", 9}}}},
        {{"type", "message_stop"}},
    };
    for (const auto& ev : events) {
        ASSERT_TRUE(t.feed_event(ev.dump(), out).has_value());
    }
    std::vector<json> chunks;
    for (const auto& c : out) {
        chunks.push_back(json::parse(c));
    }
    ASSERT_EQ(chunks.size(), 7u);
    EXPECT_EQ(chunks[1]["choices"][0]["delta"], json({{"reasoning", "Hmm"}}));
    EXPECT_EQ(chunks[2]["choices"][0]["delta"]["tool_calls"][0]["index"], 0);
    EXPECT_EQ(chunks[3]["choices"][0]["delta"]["tool_calls"][0]["index"], 1);
    EXPECT_EQ(chunks[4]["choices"][0]["delta"]["tool_calls"][0]["index"], 1);
    EXPECT_EQ(chunks[5]["choices"][0]["finish_reason"], "length");
    const json want = {
        {"prompt_tokens", 7},
        {"completion_tokens", 9},
        {"total_tokens", 16},
        {"prompt_tokens_details", {{"cached_tokens", 2}, {"cache_write_tokens", 0}}}};
    EXPECT_EQ(chunks[6]["usage"], want);
}

TEST(AnthropicStream, InBandErrorAndTruncation) {
    anthropic_chunk_translator t("m");
    std::vector<std::string> out;
    const std::string raw =
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m1\"}}\n\n"
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
        "\"message\":\"Overloaded\"}}\n\n";
    auto r = t.feed_bytes(raw, out);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().status, 529);
    EXPECT_EQ(r.error().code, "overloaded_error");
    EXPECT_EQ(r.error().message, "Overloaded");
    EXPECT_EQ(out.size(), 1u);  // the role chunk came before the error

    // The body ends before message_stop: an error, never a clean end.
    const json fx = fixture("messages_streaming.json");
    anthropic_chunk_translator cut("m");
    out.clear();
    for (std::size_t i = 0; i + 1 < fx["response"]["chunks"].size(); ++i) {
        ASSERT_TRUE(cut.feed_event(fx["response"]["chunks"][i].dump(), out).has_value());
    }
    EXPECT_FALSE(cut.complete());
    auto end = cut.finish();
    ASSERT_FALSE(end.has_value());
    EXPECT_EQ(end.error().status, 502);
    EXPECT_EQ(end.error().code, "provider_error");

    anthropic_chunk_translator junk("m");
    EXPECT_FALSE(junk.feed_event("not json", out).has_value());
}

TEST(AnthropicStream, EventsInAnthropicsOwnMemberOrder) {
    // As Anthropic writes them (type first): deltas and stops are read without a parse, with
    // the same chunks as the parsed forms of the fixtures give.
    const std::vector<std::string> events = {
        R"({"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":7,)"
        R"("output_tokens":1}}})",
        R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})",
        R"({"type":"ping"})",
        R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi \"x\""}})",
        R"({"type":"content_block_stop","index":0})",
        R"({"type":"content_block_stop","index":1,"extra":true})",
        R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},)"
        R"("usage":{"output_tokens":3}})",
        R"({"type":"message_stop"})",
    };
    anthropic_chunk_translator t("claude-sonnet-4-20250514");
    std::vector<std::string> out;
    for (const auto& e : events) {
        ASSERT_TRUE(t.feed_event(e, out).has_value()) << e;
    }
    EXPECT_TRUE(t.complete());
    std::vector<json> chunks;
    for (const auto& c : out) {
        chunks.push_back(json::parse(c));
    }
    EXPECT_EQ(strip(chunks, "msg_1"),
              (std::vector<json>{role_chunk, delta({{"content", "Hi \"x\""}}), finish("stop"),
                                 usage_chunk(7, 3)}));

    // The same shapes, broken: an error as for any event that is not JSON.
    for (const std::string bad : {R"({"type":"content_block_stop","index":})",
                                  R"({"type":"content_block_stop","index":0)"}) {
        anthropic_chunk_translator b("m");
        std::vector<std::string> none;
        EXPECT_FALSE(b.feed_event(bad, none).has_value()) << bad;
    }
}

}  // namespace
}  // namespace hadrian::providers
