#include "api/response_context.hpp"

#include <gtest/gtest.h>

namespace hadrian::api::response_context {
namespace {

using json = nlohmann::json;

TEST(ResponseId, ValidCharactersAndLength) {
    for (const char* ok : {"resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b", "resp_msg_01X",
                           "chatcmpl-abc.1:2", "a"}) {
        EXPECT_TRUE(valid_id(ok)) << ok;
    }
    for (const char* bad : {"", "resp 1", "resp/1", "../x", "resp%201", "résp", "a'b", "a\"b"}) {
        EXPECT_FALSE(valid_id(bad)) << bad;
    }
    EXPECT_TRUE(valid_id(std::string(max_id_length, 'a')));
    EXPECT_FALSE(valid_id(std::string(max_id_length + 1, 'a')));
}

TEST(InputItems, StringBecomesOneUserMessageArrayStaysAsIs) {
    EXPECT_EQ(input_items("Hi"),
              json::parse(R"([{"type":"message","role":"user","content":"Hi"}])"));
    const json items = json::parse(R"([{"role":"user","content":[{"type":"input_text","text":"x"}]},
                                       {"type":"function_call_output","call_id":"c","output":"1"}])");
    EXPECT_EQ(input_items(items), items);
    EXPECT_EQ(input_items(json()), json::array());
    EXPECT_EQ(input_items(json(5)), json::array());
}

TEST(ReplayItems, MessagesLoseIdsStatusAndLogprobs) {
    const json output = json::parse(R"([{
        "type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
        "content": [
          {"type": "output_text", "text": "2 3 5", "annotations": [], "logprobs": [{"t": 1}]},
          {"type": "refusal", "refusal": "no"},
          {"type": "something_new", "x": 1}
        ]}])");
    EXPECT_EQ(replay_items(output), json::parse(R"([{
        "type": "message", "role": "assistant",
        "content": [{"type": "output_text", "text": "2 3 5", "annotations": []},
                    {"type": "refusal", "refusal": "no"}]}])"));
}

TEST(ReplayItems, FunctionAndCustomToolCallsKeepWhatTheirOutputsNeed) {
    const json output = json::parse(R"([
        {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get_weather",
         "arguments": "{\"city\":\"Paris\"}", "status": "completed"},
        {"type": "custom_tool_call", "id": "ctc_1", "call_id": "call_2", "name": "run",
         "input": "ls"}])");
    EXPECT_EQ(replay_items(output), json::parse(R"([
        {"type": "function_call", "call_id": "call_1", "name": "get_weather",
         "arguments": "{\"city\":\"Paris\"}"},
        {"type": "custom_tool_call", "call_id": "call_2", "name": "run", "input": "ls"}])"));
}

TEST(ReplayItems, ReasoningOnlyWithEncryptedContent) {
    const json output = json::parse(R"([
        {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "t"}]},
        {"type": "reasoning", "id": "rs_2", "summary": [], "encrypted_content": "gAAA",
         "status": null}])");
    EXPECT_EQ(replay_items(output), json::parse(R"([
        {"type": "reasoning", "id": "rs_2", "summary": [], "encrypted_content": "gAAA"}])"));
}

TEST(ReplayItems, HostedToolCallsEmptyMessagesAndJunkAreDropped) {
    const json output = json::parse(R"([
        {"type": "web_search_call", "id": "ws_1", "status": "completed"},
        {"type": "image_generation_call", "id": "ig_1", "result": "AAAA"},
        {"type": "message", "role": "assistant", "content": []},
        {"type": "message", "role": "assistant", "content": "not an array"},
        "junk", 7, null,
        {"type": "message", "role": "assistant",
         "content": [{"type": "output_text", "text": "ok"}]}])");
    EXPECT_EQ(replay_items(output), json::parse(R"([
        {"type": "message", "role": "assistant",
         "content": [{"type": "output_text", "text": "ok"}]}])"));
    EXPECT_EQ(replay_items(json()), json::array());
    EXPECT_EQ(replay_items(json::object()), json::array());
}

TEST(ExpandInput, ContextThenReplayedOutputThenInput) {
    const json context = json::parse(R"([
        {"type": "message", "role": "user", "content": "What is 2+2?"}])");
    const json output = json::parse(R"([
        {"type": "reasoning", "id": "rs_1", "summary": []},
        {"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
         "content": [{"type": "output_text", "text": "4", "annotations": []}]},
        {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "check",
         "arguments": "{}", "status": "completed"}])");
    const json input = json::parse(R"([
        {"type": "function_call_output", "call_id": "call_1", "output": "ok"},
        {"role": "user", "content": "And times 3?"}])");
    EXPECT_EQ(expand_input(context, output, input), json::parse(R"([
        {"type": "message", "role": "user", "content": "What is 2+2?"},
        {"type": "message", "role": "assistant",
         "content": [{"type": "output_text", "text": "4", "annotations": []}]},
        {"type": "function_call", "call_id": "call_1", "name": "check", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_1", "output": "ok"},
        {"role": "user", "content": "And times 3?"}])"));
}

TEST(ExpandInput, StringInputAndEmptyContext) {
    const json output = json::parse(R"([{"type": "message", "role": "assistant",
        "content": [{"type": "output_text", "text": "Hello"}]}])");
    EXPECT_EQ(expand_input(json::array(), output, "Bye"), json::parse(R"([
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hello"}]},
        {"type": "message", "role": "user", "content": "Bye"}])"));
    EXPECT_EQ(expand_input(json(), json(), json()), json::array());
}

TEST(ExpandInput, ChainsAcrossTurns) {
    // Turn 1 stored its input as context; turn 2's context is the expansion of turn 1.
    const json ctx1 = input_items("one");
    const json out1 = json::parse(R"([{"type":"message","role":"assistant",
        "content":[{"type":"output_text","text":"A1"}]}])");
    const json ctx2 = expand_input(ctx1, out1, "two");
    const json out2 = json::parse(R"([{"type":"message","role":"assistant",
        "content":[{"type":"output_text","text":"A2"}]}])");
    const json ctx3 = expand_input(ctx2, out2, "three");
    ASSERT_EQ(ctx3.size(), 5u);
    EXPECT_EQ(ctx3[0]["content"], "one");
    EXPECT_EQ(ctx3[1]["content"][0]["text"], "A1");
    EXPECT_EQ(ctx3[2]["content"], "two");
    EXPECT_EQ(ctx3[3]["content"][0]["text"], "A2");
    EXPECT_EQ(ctx3[4]["content"], "three");
}

TEST(RestoreEcho, SetsStoreAndPreviousResponseId) {
    json r = json::parse(R"({"id":"resp_2","store":false,"previous_response_id":null})");
    EXPECT_TRUE(restore_echo(r, echo{true, std::string("resp_1")}));
    EXPECT_EQ(r["store"], true);
    EXPECT_EQ(r["previous_response_id"], "resp_1");
    EXPECT_FALSE(restore_echo(r, echo{true, std::string("resp_1")}));  // nothing left to change

    json missing = json::parse(R"({"id":"resp_3"})");
    EXPECT_TRUE(restore_echo(missing, echo{false, std::nullopt}));
    EXPECT_EQ(missing["store"], false);
    EXPECT_TRUE(missing["previous_response_id"].is_null());

    json not_object = json::array();
    EXPECT_FALSE(restore_echo(not_object, echo{}));
    EXPECT_EQ(not_object, json::array());
}

TEST(InputItemPage, ListsItemsWithIdsNewestFirstByDefault) {
    const json context = json::parse(R"([
        {"type": "message", "role": "user", "content": "one"},
        {"type": "message", "role": "assistant", "content": [{"type":"output_text","text":"A"}]},
        {"role": "user", "content": "two", "id": "msg_own"}])");
    const json page = input_item_page(context, "resp_9", 20, true, "");
    EXPECT_EQ(page["object"], "list");
    EXPECT_EQ(page["has_more"], false);
    ASSERT_EQ(page["data"].size(), 3u);
    EXPECT_EQ(page["data"][0]["id"], "msg_own");
    EXPECT_EQ(page["data"][0]["type"], "message");
    EXPECT_EQ(page["data"][0]["content"], json::parse(R"([{"type":"input_text","text":"two"}])"));
    EXPECT_EQ(page["data"][2]["id"], "in_resp_9_0");
    EXPECT_EQ(page["first_id"], "msg_own");
    EXPECT_EQ(page["last_id"], "in_resp_9_0");
}

TEST(InputItemPage, AscendingWithLimitAndAfter) {
    json context = json::array();
    for (int i = 0; i < 5; ++i) {
        context.push_back({{"role", "user"}, {"content", std::to_string(i)}});
    }
    const json first = input_item_page(context, "r", 2, false, "");
    ASSERT_EQ(first["data"].size(), 2u);
    EXPECT_EQ(first["data"][0]["content"][0]["text"], "0");
    EXPECT_EQ(first["has_more"], true);
    const std::string after = first["last_id"];
    const json second = input_item_page(context, "r", 2, false, after);
    EXPECT_EQ(second["data"][0]["content"][0]["text"], "2");
    const json rest =
        input_item_page(context, "r", 100, false, second["last_id"].get<std::string>());
    ASSERT_EQ(rest["data"].size(), 1u);
    EXPECT_EQ(rest["has_more"], false);
    const json unknown = input_item_page(context, "r", 10, false, "nope");
    EXPECT_TRUE(unknown["data"].empty());
    EXPECT_TRUE(unknown["first_id"].is_null());
}

TEST(PageQuery, DefaultsAndValues) {
    auto d = parse_page_query("");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->limit, 20u);
    EXPECT_TRUE(d->descending);
    EXPECT_EQ(d->after, "");
    auto q = parse_page_query("order=asc&limit=100&after=in_r%3A1&include=x");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->limit, 100u);
    EXPECT_FALSE(q->descending);
    EXPECT_EQ(q->after, "in_r:1");
    for (const char* bad : {"limit=0", "limit=101", "limit=x", "limit=", "order=up"}) {
        auto r = parse_page_query(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, "validation_error");
    }
}

TEST(PreviousNotFound, OpenAIShape) {
    const auto err = previous_not_found("resp_x");
    EXPECT_EQ(err.status, 400);
    EXPECT_EQ(err.type, "invalid_request_error");
    EXPECT_EQ(err.code, "previous_response_not_found");
    EXPECT_EQ(err.param, "previous_response_id");
    EXPECT_EQ(err.message, "Previous response with id 'resp_x' not found.");
}

}  // namespace
}  // namespace hadrian::api::response_context
