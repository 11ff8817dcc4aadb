#include "providers/responses_bridge.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <string>
#include <vector>

namespace hadrian::providers {
namespace {

using json = nlohmann::json;

// ---- request translation -------------------------------------------------------------------

struct request_case {
    const char* name;
    json body;
    json expected;  // the whole chat request
};

class request_translation : public ::testing::TestWithParam<request_case> {};

TEST_P(request_translation, maps_to_chat) {
    auto chat = responses_to_chat_request(GetParam().body);
    ASSERT_TRUE(chat) << chat.error().message;
    EXPECT_EQ(*chat, GetParam().expected) << chat->dump(2);
}

const json user_hi = {{"role", "user"}, {"content", "hi"}};

INSTANTIATE_TEST_SUITE_P(
    rules, request_translation,
    ::testing::Values(
        request_case{"instructions_and_string_input",
                     {{"model", "m"}, {"instructions", "Be brief."}, {"input", "hi"}},
                     {{"model", "m"},
                      {"messages", {{{"role", "system"}, {"content", "Be brief."}}, user_hi}}}},
        request_case{
            "message_items_and_parts",
            {{"input",
              {{{"type", "message"}, {"role", "developer"}, {"content", "dev"}},
               {{"role", "system"}, {"content", {{{"type", "input_text"}, {"text", "sys"}}}}},
               {{"role", "user"},
                {"content",
                 {{{"type", "input_text"}, {"text", "look"}},
                  {{"type", "input_image"}, {"image_url", "https://x/i.png"}, {"detail", "low"}}}}},
               {{"type", "message"},
                {"role", "assistant"},
                {"content",
                 {{{"type", "output_text"}, {"text", "a"}, {"annotations", json::array()}},
                  {{"type", "output_text"}, {"text", "b"}}}}}}}},
            {{"messages",
              {{{"role", "developer"}, {"content", "dev"}},
               {{"role", "system"}, {"content", {{{"type", "text"}, {"text", "sys"}}}}},
               {{"role", "user"},
                {"content",
                 {{{"type", "text"}, {"text", "look"}},
                  {{"type", "image_url"},
                   {"image_url", {{"url", "https://x/i.png"}, {"detail", "low"}}}}}}},
               {{"role", "assistant"}, {"content", "ab"}}}}}},
        request_case{
            "function_calls_merge_outputs_become_tool_messages_reasoning_dropped",
            {{"input",
              {user_hi,
               {{"type", "reasoning"}, {"id", "rs_1"}, {"summary", json::array()}},
               {{"type", "message"}, {"role", "assistant"}, {"content", "Checking."}},
               {{"type", "function_call"},
                {"call_id", "c1"},
                {"name", "f"},
                {"arguments", "{\"a\":1}"}},
               {{"type", "function_call"}, {"call_id", "c2"}, {"name", "g"}, {"arguments", "{}"}},
               {{"type", "function_call_output"}, {"call_id", "c1"}, {"output", "one"}},
               {{"type", "function_call_output"}, {"call_id", "c2"}, {"output", "two"}},
               {{"type", "function_call"}, {"call_id", "c3"}, {"name", "h"}}}}},
            {{"messages",
              {user_hi,
               {{"role", "assistant"},
                {"content", "Checking."},
                {"tool_calls",
                 {{{"id", "c1"},
                   {"type", "function"},
                   {"function", {{"name", "f"}, {"arguments", "{\"a\":1}"}}}},
                  {{"id", "c2"},
                   {"type", "function"},
                   {"function", {{"name", "g"}, {"arguments", "{}"}}}}}}},
               {{"role", "tool"}, {"tool_call_id", "c1"}, {"content", "one"}},
               {{"role", "tool"}, {"tool_call_id", "c2"}, {"content", "two"}},
               {{"role", "assistant"},
                {"content", nullptr},
                {"tool_calls",
                 {{{"id", "c3"},
                   {"type", "function"},
                   {"function", {{"name", "h"}, {"arguments", "{}"}}}}}}}}}}},
        request_case{"tools_and_tool_choice",
                     {{"input", "hi"},
                      {"tools",
                       {{{"type", "function"},
                         {"name", "f"},
                         {"description", "d"},
                         {"parameters", {{"type", "object"}}},
                         {"strict", true}}}},
                      {"tool_choice", {{"type", "function"}, {"name", "f"}}}},
                     {{"messages", {user_hi}},
                      {"tools",
                       {{{"type", "function"},
                         {"function",
                          {{"name", "f"},
                           {"description", "d"},
                           {"parameters", {{"type", "object"}}},
                           {"strict", true}}}}}},
                      {"tool_choice", {{"type", "function"}, {"function", {{"name", "f"}}}}}}},
        request_case{"tool_choice_string",
                     {{"input", "hi"}, {"tool_choice", "required"}},
                     {{"messages", {user_hi}}, {"tool_choice", "required"}}},
        request_case{"settings",
                     {{"model", "m"},
                      {"input", "hi"},
                      {"max_output_tokens", 100},
                      {"temperature", 0.5},
                      {"top_p", 0.9},
                      {"parallel_tool_calls", false},
                      {"user", "u1"},
                      {"metadata", {{"k", "v"}}},
                      {"reasoning", {{"effort", "high"}, {"summary", "auto"}}},
                      {"store", false},
                      {"stream", true}},
                     {{"model", "m"},
                      {"messages", {user_hi}},
                      {"max_completion_tokens", 100},
                      {"temperature", 0.5},
                      {"top_p", 0.9},
                      {"parallel_tool_calls", false},
                      {"user", "u1"},
                      {"metadata", {{"k", "v"}}},
                      {"reasoning_effort", "high"},
                      {"stream", true},
                      {"stream_options", {{"include_usage", true}}}}},
        request_case{"json_schema_format",
                     {{"input", "hi"},
                      {"text",
                       {{"format",
                         {{"type", "json_schema"},
                          {"name", "s"},
                          {"schema", {{"type", "object"}}},
                          {"strict", true}}}}}},
                     {{"messages", {user_hi}},
                      {"response_format",
                       {{"type", "json_schema"},
                        {"json_schema",
                         {{"name", "s"}, {"schema", {{"type", "object"}}}, {"strict", true}}}}}}},
        request_case{"json_object_format",
                     {{"input", "hi"}, {"text", {{"format", {{"type", "json_object"}}}}}},
                     {{"messages", {user_hi}}, {"response_format", {{"type", "json_object"}}}}},
        request_case{
            "text_format_is_default",
            {{"input", "hi"}, {"stream", false}, {"text", {{"format", {{"type", "text"}}}}}},
            {{"messages", {user_hi}}, {"stream", false}}}),
    [](const auto& info) { return std::string(info.param.name); });

struct error_case {
    const char* name;
    json body;
    core::errc kind;
    const char* param;
};

class request_errors : public ::testing::TestWithParam<error_case> {};

TEST_P(request_errors, are_rejected) {
    auto chat = responses_to_chat_request(GetParam().body);
    ASSERT_FALSE(chat);
    EXPECT_EQ(chat.error().kind, GetParam().kind) << chat.error().message;
    EXPECT_EQ(chat.error().status, core::http_status(GetParam().kind));
    EXPECT_EQ(chat.error().param, std::optional<std::string>(GetParam().param));
}

INSTANTIATE_TEST_SUITE_P(
    rules, request_errors,
    ::testing::Values(
        error_case{"builtin_tool",
                   {{"input", "hi"}, {"tools", {{{"type", "web_search"}}}}},
                   core::errc::validation_error,
                   "tools"},
        error_case{"unknown_item",
                   {{"input", {{{"type", "web_search_call"}, {"id", "ws_1"}}}}},
                   core::errc::validation_error,
                   "input"},
        error_case{"image_by_file_id",
                   {{"input",
                     {{{"role", "user"},
                       {"content", {{{"type", "input_image"}, {"file_id", "file-1"}}}}}}}},
                   core::errc::not_supported,
                   "input"},
        error_case{"function_call_without_call_id",
                   {{"input", {{{"type", "function_call"}, {"name", "f"}}}}},
                   core::errc::validation_error,
                   "input"},
        error_case{"bad_role",
                   {{"input", {{{"role", "tool"}, {"content", "x"}}}}},
                   core::errc::validation_error,
                   "input"},
        error_case{"no_input", {{"model", "m"}}, core::errc::validation_error, "input"},
        error_case{"hosted_tool_choice",
                   {{"input", "hi"}, {"tool_choice", {{"type", "file_search"}}}},
                   core::errc::validation_error,
                   "tool_choice"},
        error_case{"unresolved_previous_response_id",
                   {{"input", "hi"}, {"previous_response_id", "resp_1"}},
                   core::errc::validation_error,
                   "previous_response_id"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(request_translation_extra, unresolved_previous_response_in_openai_shape) {
    auto chat = responses_to_chat_request({{"input", "hi"}, {"previous_response_id", "resp_1"}});
    ASSERT_FALSE(chat);
    EXPECT_EQ(chat.error().code, "previous_response_not_found");
    EXPECT_EQ(chat.error().type, "invalid_request_error");
    EXPECT_EQ(chat.error().message.rfind("Previous response with id 'resp_1' not found.", 0), 0u)
        << chat.error().message;
    // null is the same as absent
    EXPECT_TRUE(responses_to_chat_request({{"input", "hi"}, {"previous_response_id", nullptr}}));
}

TEST(request_translation_extra, replayed_conversation_items) {
    // The shape the gateway gives a stored conversation (api/response_context.hpp).
    const json body = json::parse(R"({"input": [
        {"type": "message", "role": "user", "content": "Weather in Paris?"},
        {"type": "message", "role": "assistant",
         "content": [{"type": "output_text", "text": "Let me check.", "annotations": []}]},
        {"type": "function_call", "call_id": "call_1", "name": "get_weather",
         "arguments": "{\"city\":\"Paris\"}"},
        {"type": "function_call_output", "call_id": "call_1", "output": "sunny"},
        {"type": "message", "role": "user", "content": "Thanks"}]})");
    auto chat = responses_to_chat_request(body);
    ASSERT_TRUE(chat) << chat.error().message;
    EXPECT_EQ((*chat)["messages"], json::parse(R"([
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": "Let me check.",
         "tool_calls": [{"id": "call_1", "type": "function",
                         "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
        {"role": "user", "content": "Thanks"}])"))
        << chat->dump(2);
}

// ---- chat body → response ------------------------------------------------------------------

json chat_body(json message, const char* finish) {
    return {
        {"id", "chatcmpl-1"},
        {"object", "chat.completion"},
        {"created", 1700000000},
        {"model", "claude-x"},
        {"choices", {{{"index", 0}, {"message", std::move(message)}, {"finish_reason", finish}}}},
        {"usage",
         {{"prompt_tokens", 10},
          {"completion_tokens", 20},
          {"total_tokens", 30},
          {"prompt_tokens_details", {{"cached_tokens", 4}}},
          {"completion_tokens_details", {{"reasoning_tokens", 5}}}}}};
}

TEST(chat_to_response, text_answer_with_usage_and_echo) {
    const json request = {{"model", "anthropic/claude-x"}, {"input", "hi"},
                          {"instructions", "Be brief."},   {"temperature", 0.2},
                          {"max_output_tokens", 50},       {"metadata", {{"k", "v"}}}};
    const json r =
        chat_to_response(chat_body({{"role", "assistant"}, {"content", "Hello"}}, "stop"), request);
    EXPECT_EQ(r["id"], "resp_chatcmpl-1");
    EXPECT_EQ(r["object"], "response");
    EXPECT_EQ(r["created_at"], 1700000000);
    EXPECT_EQ(r["status"], "completed");
    EXPECT_EQ(r["model"], "claude-x");
    EXPECT_TRUE(r["incomplete_details"].is_null());
    EXPECT_TRUE(r["completed_at"].is_number());
    EXPECT_EQ(r["instructions"], "Be brief.");
    EXPECT_EQ(r["temperature"], 0.2);
    EXPECT_EQ(r["top_p"], 1.0);
    EXPECT_EQ(r["max_output_tokens"], 50);
    EXPECT_EQ(r["metadata"], (json{{"k", "v"}}));
    EXPECT_EQ(r["tools"], json::array());
    EXPECT_EQ(r["tool_choice"], "auto");
    EXPECT_EQ(r["parallel_tool_calls"], true);
    ASSERT_EQ(r["output"].size(), 1u);
    EXPECT_EQ(r["output"][0], (json{{"type", "message"},
                                    {"id", "msg_chatcmpl-1_0"},
                                    {"status", "completed"},
                                    {"role", "assistant"},
                                    {"content",
                                     {{{"type", "output_text"},
                                       {"text", "Hello"},
                                       {"annotations", json::array()},
                                       {"logprobs", json::array()}}}}}));
    EXPECT_EQ(r["usage"], (json{{"input_tokens", 10},
                                {"input_tokens_details", {{"cached_tokens", 4}}},
                                {"output_tokens", 20},
                                {"output_tokens_details", {{"reasoning_tokens", 5}}},
                                {"total_tokens", 30}}));
}

TEST(chat_to_response, tool_calls_become_function_call_items) {
    const json message = {{"role", "assistant"},
                          {"content", nullptr},
                          {"tool_calls",
                           {{{"id", "call_a"},
                             {"type", "function"},
                             {"function", {{"name", "f"}, {"arguments", "{\"x\":1}"}}}},
                            {{"id", "call_b"},
                             {"type", "function"},
                             {"function", {{"name", "g"}, {"arguments", "{}"}}}}}}};
    const json r = chat_to_response(chat_body(message, "tool_calls"), {{"input", "hi"}});
    EXPECT_EQ(r["status"], "completed");
    ASSERT_EQ(r["output"].size(), 2u);
    EXPECT_EQ(r["output"][0], (json{{"type", "function_call"},
                                    {"id", "fc_chatcmpl-1_0"},
                                    {"call_id", "call_a"},
                                    {"name", "f"},
                                    {"arguments", "{\"x\":1}"},
                                    {"status", "completed"}}));
    EXPECT_EQ(r["output"][1]["call_id"], "call_b");
    EXPECT_EQ(r["output"][1]["name"], "g");
}

TEST(chat_to_response, reasoning_comes_first) {
    const json message = {{"role", "assistant"}, {"content", "42"}, {"reasoning", "Think."}};
    const json r = chat_to_response(chat_body(message, "stop"), {{"input", "hi"}});
    ASSERT_EQ(r["output"].size(), 2u);
    EXPECT_EQ(r["output"][0],
              (json{{"type", "reasoning"},
                    {"id", "rs_chatcmpl-1_0"},
                    {"summary", {{{"type", "summary_text"}, {"text", "Think."}}}}}));
    EXPECT_EQ(r["output"][1]["content"][0]["text"], "42");
}

TEST(chat_to_response, length_and_content_filter_are_incomplete) {
    const json message = {{"role", "assistant"}, {"content", "cut"}};
    const json r = chat_to_response(chat_body(message, "length"), {{"input", "hi"}});
    EXPECT_EQ(r["status"], "incomplete");
    EXPECT_EQ(r["incomplete_details"], (json{{"reason", "max_output_tokens"}}));
    EXPECT_TRUE(r["completed_at"].is_null());
    EXPECT_EQ(r["output"][0]["status"], "incomplete");
    const json f = chat_to_response(chat_body(message, "content_filter"), {{"input", "hi"}});
    EXPECT_EQ(f["status"], "incomplete");
    EXPECT_EQ(f["incomplete_details"], (json{{"reason", "content_filter"}}));
}

// ---- chat stream → Responses events -------------------------------------------------------

using step = result<std::optional<sse::event>, core::api_error>;

/// Replays chat chunks (then a clean end, or a scripted error) and counts how many it handed
/// out, so a test can see that an event was produced before the next chunk was read.
class scripted_stream final : public event_stream {
public:
    scripted_stream(std::vector<step> steps, std::size_t& consumed)
        : steps_(std::move(steps)), consumed_(consumed) {}

    awaitable<step> next() override {
        if (consumed_ >= steps_.size()) {
            co_return std::nullopt;
        }
        co_return steps_[consumed_++];
    }

private:
    std::vector<step> steps_;
    std::size_t& consumed_;
};

step chunk(json delta, json finish = nullptr) {
    json c = {
        {"id", "chatcmpl-9"},
        {"object", "chat.completion.chunk"},
        {"created", 1700000000},
        {"model", "claude-x"},
        {"choices", {{{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", finish}}}}};
    return std::optional<sse::event>(sse::event{"", c.dump(), ""});
}

step usage_chunk() {
    json c = {{"id", "chatcmpl-9"},
              {"object", "chat.completion.chunk"},
              {"created", 1700000000},
              {"model", "claude-x"},
              {"choices", json::array()},
              {"usage",
               {{"prompt_tokens", 10},
                {"completion_tokens", 20},
                {"total_tokens", 30},
                {"prompt_tokens_details", {{"cached_tokens", 4}}},
                {"completion_tokens_details", {{"reasoning_tokens", 5}}}}}};
    return std::optional<sse::event>(sse::event{"", c.dump(), ""});
}

step tool_delta(int index, json function, const char* id = nullptr) {
    json call = {{"index", index}, {"function", std::move(function)}};
    if (id != nullptr) {
        call["id"] = id;
        call["type"] = "function";
    }
    return chunk({{"tool_calls", {call}}});
}

struct drained {
    std::vector<json> events;              // parsed data
    std::vector<std::size_t> chunks_read;  // chunks consumed when each event was yielded
    std::optional<core::api_error> error;
};

awaitable<drained> drain(event_stream& events, const std::size_t& consumed) {
    drained out;
    for (;;) {
        auto ev = co_await events.next();
        if (!ev) {
            out.error = ev.error();
            co_return out;
        }
        if (!ev->has_value()) {
            co_return out;
        }
        json data = json::parse((*ev)->data);
        EXPECT_EQ((*ev)->event, data["type"]);
        EXPECT_EQ(data["sequence_number"], out.events.size());
        out.events.push_back(std::move(data));
        out.chunks_read.push_back(consumed);
    }
}

drained run(std::vector<step> steps, json request = {{"model", "anthropic/claude-x"}}) {
    std::size_t consumed = 0;
    auto stream = chat_stream_to_responses(
        std::make_unique<scripted_stream>(std::move(steps), consumed), std::move(request));
    asio::io_context ioc;
    auto done = asio::co_spawn(ioc, drain(*stream, consumed), asio::use_future);
    ioc.run();
    return done.get();
}

std::vector<std::string> types(const drained& d) {
    std::vector<std::string> out;
    for (const auto& e : d.events) {
        out.push_back(e["type"]);
    }
    return out;
}

TEST(chat_stream_to_responses, full_sequence_with_reasoning_text_and_parallel_calls) {
    const drained d = run({
        chunk({{"role", "assistant"}, {"content", ""}}),
        chunk({{"reasoning", "Think"}}),
        chunk({{"reasoning", "ing."}}),
        chunk({{"content", "Hel"}}),
        chunk({{"content", "lo"}}),
        tool_delta(0, {{"name", "get_weather"}, {"arguments", ""}}, "call_a"),
        tool_delta(0, {{"arguments", "{\"city\":"}}),
        tool_delta(0, {{"arguments", "\"Paris\"}"}}),
        tool_delta(1, {{"name", "get_time"}, {"arguments", "{\"tz\""}}, "call_b"),
        tool_delta(1, {{"arguments", ":\"CET\"}"}}),
        chunk(json::object(), "tool_calls"),
        usage_chunk(),
    });
    ASSERT_FALSE(d.error);
    const std::vector<std::string> expected = {
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    };
    ASSERT_EQ(types(d), expected);
    const auto& e = d.events;

    EXPECT_EQ(e[0]["response"]["id"], "resp_chatcmpl-9");
    EXPECT_EQ(e[0]["response"]["status"], "in_progress");
    EXPECT_EQ(e[0]["response"]["output"], json::array());
    EXPECT_EQ(e[2]["item"],
              (json{{"type", "reasoning"}, {"id", "rs_chatcmpl-9_0"}, {"summary", json::array()}}));
    EXPECT_EQ(e[4]["delta"], "Think");
    EXPECT_EQ(e[6]["text"], "Thinking.");
    EXPECT_EQ(e[7]["part"]["text"], "Thinking.");
    EXPECT_EQ(e[8]["item"]["summary"][0]["text"], "Thinking.");

    EXPECT_EQ(e[9]["output_index"], 1);
    EXPECT_EQ(e[9]["item"]["status"], "in_progress");
    EXPECT_EQ(e[11]["item_id"], "msg_chatcmpl-9_1");
    EXPECT_EQ(e[11]["content_index"], 0);
    EXPECT_EQ(e[13]["text"], "Hello");
    EXPECT_EQ(e[14]["part"]["text"], "Hello");
    EXPECT_EQ(e[15]["item"]["content"][0]["text"], "Hello");
    EXPECT_EQ(e[15]["item"]["status"], "completed");

    EXPECT_EQ(e[16]["item"], (json{{"type", "function_call"},
                                   {"id", "fc_chatcmpl-9_2"},
                                   {"call_id", "call_a"},
                                   {"name", "get_weather"},
                                   {"arguments", ""},
                                   {"status", "in_progress"}}));
    EXPECT_EQ(e[17]["delta"], "{\"city\":");
    EXPECT_EQ(e[17]["output_index"], 2);
    EXPECT_EQ(e[19]["arguments"], "{\"city\":\"Paris\"}");
    EXPECT_EQ(e[19]["name"], "get_weather");
    EXPECT_EQ(e[20]["item"]["arguments"], "{\"city\":\"Paris\"}");
    EXPECT_EQ(e[20]["item"]["status"], "completed");
    EXPECT_EQ(e[21]["item"]["call_id"], "call_b");
    EXPECT_EQ(e[21]["output_index"], 3);
    EXPECT_EQ(e[24]["arguments"], "{\"tz\":\"CET\"}");
    EXPECT_EQ(e[24]["item_id"], "fc_chatcmpl-9_3");

    // Argument deltas go out as they arrive, before the next chunk is read.
    EXPECT_EQ(d.chunks_read[17], 7u);
    EXPECT_EQ(d.chunks_read[18], 8u);

    const json& final_response = e[26]["response"];
    EXPECT_EQ(final_response["status"], "completed");
    EXPECT_EQ(final_response["model"], "claude-x");
    ASSERT_EQ(final_response["output"].size(), 4u);
    EXPECT_EQ(final_response["output"][1]["content"][0]["text"], "Hello");
    EXPECT_EQ(final_response["output"][3]["arguments"], "{\"tz\":\"CET\"}");
    EXPECT_EQ(final_response["usage"], (json{{"input_tokens", 10},
                                             {"input_tokens_details", {{"cached_tokens", 4}}},
                                             {"output_tokens", 20},
                                             {"output_tokens_details", {{"reasoning_tokens", 5}}},
                                             {"total_tokens", 30}}));
    // Completion waits for the usage chunk after the finish reason.
    EXPECT_EQ(d.chunks_read[26], 12u);
}

TEST(chat_stream_to_responses, length_ends_incomplete) {
    const drained d = run({chunk({{"role", "assistant"}, {"content", "cut"}}),
                           chunk(json::object(), "length"), usage_chunk()},
                          {{"model", "m"}, {"max_output_tokens", 1}});
    ASSERT_FALSE(d.error);
    ASSERT_EQ(d.events.size(), 9u);
    const json& last = d.events.back();
    EXPECT_EQ(last["type"], "response.incomplete");
    EXPECT_EQ(last["response"]["status"], "incomplete");
    EXPECT_EQ(last["response"]["incomplete_details"]["reason"], "max_output_tokens");
    EXPECT_EQ(last["response"]["max_output_tokens"], 1);
    EXPECT_EQ(last["response"]["output"][0]["status"], "incomplete");
    EXPECT_EQ(d.events[7]["item"]["status"], "incomplete");
}

TEST(chat_stream_to_responses, empty_answer_is_an_empty_message) {
    const drained d = run({chunk(json::object(), "stop"), usage_chunk()});
    ASSERT_FALSE(d.error);
    ASSERT_EQ(d.events.size(), 8u);
    EXPECT_EQ(d.events[2]["type"], "response.output_item.added");
    EXPECT_EQ(d.events[4]["type"], "response.output_text.done");
    EXPECT_EQ(d.events[4]["text"], "");
    EXPECT_EQ(d.events[7]["type"], "response.completed");
}

TEST(chat_stream_to_responses, error_passes_through_mid_stream) {
    const drained d = run({
        chunk({{"role", "assistant"}, {"content", "Hi"}}),
        core::api_error::make(core::errc::provider_error, "Upstream provider returned error: x"),
        chunk({{"content", "never"}}),
    });
    ASSERT_TRUE(d.error);
    EXPECT_EQ(d.error->kind, core::errc::provider_error);
    EXPECT_EQ(d.error->message, "Upstream provider returned error: x");
    EXPECT_EQ(types(d),
              (std::vector<std::string>{"response.created", "response.in_progress",
                                        "response.output_item.added", "response.content_part.added",
                                        "response.output_text.delta"}));
}

TEST(chat_stream_to_responses, broken_chunks_are_errors) {
    const drained malformed = run({std::optional<sse::event>(sse::event{"", "{not json", ""})});
    ASSERT_TRUE(malformed.error);
    EXPECT_EQ(malformed.error->kind, core::errc::provider_error);
    EXPECT_TRUE(malformed.events.empty());

    const drained late = run({tool_delta(0, {{"name", "f"}, {"arguments", "{"}}, "a"),
                              tool_delta(1, {{"name", "g"}, {"arguments", "{}"}}, "b"),
                              tool_delta(0, {{"arguments", "}"}})});
    ASSERT_TRUE(late.error);
    EXPECT_EQ(late.error->kind, core::errc::provider_error);
}

}  // namespace
}  // namespace hadrian::providers
