// An Anthropic answer written as a chat completion from a scan: the same completion as the
// parsed translation (anthropic_to_chat), and the same figures, or nothing at all.
#include "providers/anthropic_text.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "providers/anthropic_translate.hpp"

namespace hadrian::providers {
namespace {

using nlohmann::json;

constexpr std::int64_t created = 1'760'000'000;

std::string fixture_body(const std::string& name) {
    std::ifstream in(std::string(HADRIAN_SOURCE_DIR) + "/tests/fixtures/anthropic/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str())["response"]["body"].dump();
}

/// Checks the written request against the full translation of `chat` (as the provider sends
/// it: `stream` as the call asks).
void expect_request_as_translated(const std::string& chat, bool stream = false) {
    const auto written = anthropic_request_text(chat, "claude-x", 4096, stream);
    ASSERT_TRUE(written.has_value()) << chat;
    auto want = anthropic_request(json::parse(chat), "claude-x", 4096);
    ASSERT_TRUE(want.has_value()) << chat;
    if (stream) {
        (*want)["stream"] = true;
    } else {
        want->erase("stream");
    }
    EXPECT_EQ(json::parse(*written), *want) << chat << "\n" << *written;
}

TEST(AnthropicRequestText, PlainChatsAsTheFullTranslation) {
    for (const std::string chat : {
             R"({"model":"a/b","messages":[{"role":"system","content":"Be brief."},)"
             R"({"role":"user","content":"Hi"}],"max_tokens":64,"temperature":0.7})",
             // System and developer text joined, empty texts left out, same roles merged.
             R"({"messages":[{"role":"developer","content":"one"},{"role":"system","content":""},)"
             R"({"role":"user","content":"a"},{"role":"system","content":"two"},)"
             R"({"role":"user","content":"b"},{"role":"assistant","content":null},)"
             R"({"role":"assistant","content":"c"},{"role":"assistant","content":"d"},)"
             R"({"role":"user","content":"e"}]})",
             // Escapes and non-ASCII text copied as written.
             R"({"messages":[{"role":"system","content":"q\"\\\n\u00e9"},)"
             R"({"role":"user","content":"caf)"
             "\xc3\xa9"
             R"( \ud83d\ude00\t"}]})",
             // max_completion_tokens first; parameters copied; stops; the user.
             R"({"messages":[],"max_tokens":5,"max_completion_tokens":7,"top_p":0.5,"top_k":3,)"
             R"("stop":"END","user":"u-1","frequency_penalty":1,"seed":3,"logprobs":true})",
             R"({"messages":[{"role":"user","content":"x"}],"stop":["a","b"],"user":5,)"
             R"("max_tokens":null,"temperature":null,"tools":null,"n":null,"stream":true})",
             R"({"messages":[{"role":"user","content":"x"}],"stop":[ ],"tool_choice":"auto"})",
             R"({"messages":[{"role":"user","content":"x"}],"stop":3})",
             // Whitespace, members repeated (the last counts), a role written with an escape.
             " {\n \"max_tokens\" : 9 , \"messages\" : [ { \"content\" : \"x\" , "
             "\"role\" : \"us\\u0065r\" , \"name\" : \"n\" } ] , \"max_tokens\" : 10 } ",
             R"({"messages":[{"role":"user","content":"x","content":"y"}],"user":"a","user":"b"})",
             // A repeated messages array: the last one, and only its system text.
             R"({"messages":[{"role":"system","content":"s"},{"role":"user","content":"a"}],)"
             R"("max_tokens":3,"messages":[{"role":"user","content":"b"}]})",
         }) {
        expect_request_as_translated(chat, false);
        expect_request_as_translated(chat, true);
    }
}

TEST(AnthropicRequestText, TheModelIsWrittenAsAJsonString) {
    for (const std::string model : {"claude-x", "mod\"el\\/caf\xc3\xa9", "a\nb"}) {
        const auto written = anthropic_request_text(
            R"({"messages":[{"role":"user","content":"x"}]})", model, 16, false);
        ASSERT_TRUE(written.has_value()) << model;
        EXPECT_EQ(json::parse(*written)["model"], model) << *written;
    }
}

TEST(AnthropicRequestText, LeavesOtherRequestsToTheFullTranslation) {
    for (const std::string chat : {
             R"({"messages":[{"role":"user","content":"x"}],"tools":[]})",
             R"({"messages":[{"role":"user","content":"x"}],"reasoning_effort":"low"})",
             R"({"messages":[{"role":"user","content":"x"}],"n":1})",
             R"({"messages":[{"role":"user","content":[{"type":"text","text":"x"}]}]})",
             R"({"messages":[{"role":"tool","content":"x","tool_call_id":"t"}]})",
             R"({"messages":[{"role":"assistant","content":"x","tool_calls":[]}]})",
             R"({"messages":[{"role":"function","content":"x"}]})",
             R"({"messages":[{"content":"x"}]})",
             R"({"messages":[{"role":"user","content":5}]})",
             R"({"messages":["x"]})",
             R"({"messages":{}})",
             R"({"messages":null})",
             R"({})",
             R"({"messages":[],"max_tokens":0})",
             R"({"messages":[],"max_tokens":-1})",
             R"({"messages":[],"max_tokens":1.5})",
             R"({"messages":[],"max_completion_tokens":"5"})",
             R"({"messages":[],"max_tokens":99999999999999999999})",
             R"([])",
         }) {
        EXPECT_FALSE(anthropic_request_text(chat, "m", 4096, false).has_value()) << chat;
    }
}

/// Checks the written completion against the parsed translation of `message`.
void expect_same_as_parsed(const std::string& message, const std::string& model = "claude-x") {
    const auto written = anthropic_chat_text(message, model, created);
    ASSERT_TRUE(written.has_value()) << message;
    const json got = json::parse(written->text);
    json want = anthropic_to_chat(json::parse(message), model);
    want["created"] = created;
    EXPECT_EQ(got, want) << message;

    const chat_figures& f = written->figures;
    const json& usage = want["usage"];
    EXPECT_TRUE(f.usage);
    EXPECT_EQ(f.prompt_tokens, usage["prompt_tokens"].get<std::int64_t>()) << message;
    EXPECT_EQ(f.completion_tokens, usage["completion_tokens"].get<std::int64_t>()) << message;
    EXPECT_EQ(f.cached_tokens, usage["prompt_tokens_details"]["cached_tokens"].get<std::int64_t>())
        << message;
    EXPECT_EQ(f.reasoning_tokens, 0);
    EXPECT_EQ(f.finish_reason, want["choices"][0]["finish_reason"].get<std::string>()) << message;
    EXPECT_EQ(json::parse(written->text.substr(f.usage_span.offset, f.usage_span.size)), usage)
        << message;
}

TEST(AnthropicAnswer, FixturesAsTheParsedTranslation) {
    for (const std::string name : {"messages_success.json", "vision_success.json",
                                   "tool_call_with_result.json", "thinking_success.json"}) {
        expect_same_as_parsed(fixture_body(name));
    }
}

TEST(AnthropicAnswer, ShapesAsTheParsedTranslation) {
    for (
        const std::string message : {
            // Escapes, non-ASCII text, several blocks joined, thinking, an unknown block.
            R"({"id":"msg_1","content":[{"type":"text","text":"a\"b\\c\n\u00e9 \ud83d\ude00"},)"
            R"({"type":"redacted_thinking","data":"x"},{"type":"thinking","thinking":"t\tq"},)"
            R"({"type":"text","text":" caf)"
            "\xc3\xa9"
            R"("}],"stop_reason":"max_tokens","usage":{"input_tokens":3,"output_tokens":4}})",
            // Whitespace everywhere, members in another order, cache reads and writes.
            " \n{ \"usage\" : { \"cache_read_input_tokens\" : 100 , \"input_tokens\" : 10 ,"
            " \"cache_creation_input_tokens\" : 20 , \"output_tokens\" : 5 } , \"content\" : "
            "[ { \"text\" : \"hi\" , \"type\" : \"text\" } ] , \"id\" : \"msg_2\" } \r\n",
            // Absent and null parts.
            R"({})",
            R"({"id":null,"content":null,"stop_reason":null,"usage":null})",
            R"({"id":7,"content":"text","stop_reason":5,"usage":3})",
            R"({"content":[1,"x",null,{"type":"text"},{"type":"text","text":5},{"text":"no type"}]})",
            // Counts that are not numbers are 0, as a parse reads them; negative ones stay.
            R"({"usage":{"input_tokens":"12","output_tokens":null,"cache_read_input_tokens":-2,)"
            R"("cache_creation_input_tokens":{"a":1}}})",
            // Repeated members: the last one counts, as the parser keeps it.
            R"({"id":"a","id":"b","usage":{"input_tokens":1,"input_tokens":2},)"
            R"("content":[{"type":"text","text":"x","text":"y"}],"stop_reason":"tool_use",)"
            R"("stop_reason":"refusal"})",
            // Repeated content and usage: the last ones, whole.
            R"({"content":[{"type":"text","text":"one"},{"type":"thinking","thinking":"t"}],)"
            R"("usage":{"input_tokens":5,"output_tokens":6},"content":[{"type":"text",)"
            R"("text":"two"}],"usage":{"output_tokens":2}})",
            R"({"content":[{"type":"text","text":"one"}],"usage":{"input_tokens":5},)"
            R"("content":null,"usage":"none"})",
            // A type and a stop reason written with escapes.
            R"({"content":[{"type":"t\u0065xt","text":"z"}],"stop_reason":"max\u005ftokens"})",
        }) {
        expect_same_as_parsed(message);
    }
    expect_same_as_parsed(R"({"content":[{"type":"text","text":"x"}]})", "mod\"el/caf\xc3\xa9");
}

TEST(AnthropicAnswer, LeavesOtherAnswersToTheParsedPath) {
    for (const std::string& message : {
             fixture_body("tool_call_success.json"),  // tool_use: arguments re-serialized
             std::string(R"({"content":[{"type":"tool_use","id":"t","name":"f","input":{}}]})"),
             std::string(R"({"usage":{"input_tokens":1.5}})"),
             std::string(R"({"usage":{"output_tokens":1e3}})"),
             std::string(R"({"usage":{"input_tokens":99999999999999999999}})"),
             std::string(R"({"content":[{"type":"text","text":"a)"
                         "\x01"
                         R"("}]})"),                 // not valid JSON
             std::string("{\"content\":\"\xff\"}"),  // invalid UTF-8
             std::string(R"({"id":"x"} {})"),
             std::string(R"([{"id":"x"}])"),
             std::string(""),
         }) {
        EXPECT_FALSE(anthropic_chat_text(message, "m", created).has_value()) << message;
    }
}

TEST(AnthropicTextDelta, TextAndThinkingAsWritten) {
    const auto text = read_text_delta(
        R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\"b\n\u00e9"}})");
    ASSERT_TRUE(text.has_value());
    EXPECT_FALSE(text->thinking);
    EXPECT_EQ(text->text, R"(a\"b\n\u00e9)");
    const auto thinking = read_text_delta(
        R"( {"delta":{"thinking":"hm","type":"thinking_delta"},"type":"content_block_delta"} )");
    ASSERT_TRUE(thinking.has_value());
    EXPECT_TRUE(thinking->thinking);
    EXPECT_EQ(thinking->text, "hm");
    // Repeated members: the last counts, as the parser keeps it.
    const auto last = read_text_delta(R"({"type":"ping","type":"content_block_delta",)"
                                      R"("delta":{"type":"text_delta","text":"x","text":5}})");
    ASSERT_TRUE(last.has_value());
    EXPECT_EQ(last->text, "");
}

TEST(AnthropicTextDelta, TheUsualShapeIsReadAsAParserReadsIt) {
    // Events that start as Anthropic writes its deltas, and what a parse finds in them.
    const std::string head = R"({"type":"content_block_delta","index":12,"delta":{"type":")";
    struct row {
        std::string data;
        std::optional<std::pair<bool, std::string>> expected;  // thinking, text as written
    };
    const row rows[] = {
        {head + R"(text_delta","text":"a\"b"}})", std::pair{false, std::string(R"(a\"b)")}},
        {head + R"(thinking_delta","thinking":"hm \u00e9"}})",
         std::pair{true, std::string(R"(hm \u00e9)")}},
        {head + R"(text_delta","text":""}})", std::pair{false, std::string()}},
        // More after the usual shape: the members decide, the last of a repeated one counts.
        {head + R"(text_delta","text":"a","text":"b"}})", std::pair{false, std::string("b")}},
        {head + R"(text_delta","text":"a"},"type":"ping"})", std::nullopt},
        {head + R"(text_delta","text":"a"}} )", std::pair{false, std::string("a")}},
        {head + R"(text_delta","text":"a"}}})", std::nullopt},
        {head + R"(text_delta","text":5}})", std::pair{false, std::string()}},
        {R"({"type":"content_block_delta","index":,"delta":{}})", std::nullopt},
    };
    for (const auto& r : rows) {
        const auto got = read_text_delta(r.data);
        ASSERT_EQ(got.has_value(), r.expected.has_value()) << r.data;
        if (got) {
            EXPECT_EQ(got->thinking, r.expected->first) << r.data;
            EXPECT_EQ(got->text, r.expected->second) << r.data;
        }
    }
}

TEST(AnthropicTextDelta, OtherEventsAreLeftToTheParser) {
    for (
        const std::string data : {
            R"({"type":"content_block_delta","delta":{"type":"input_json_delta","partial_json":"{"}})",
            R"({"type":"content_block_delta","delta":{"type":"signature_delta","signature":"s"}})",
            R"({"type":"content_block_delta","delta":"text"})",
            R"({"type":"message_delta","delta":{"type":"text_delta","text":"x"}})",
            R"({"type":"content_block_start","content_block":{"type":"text","text":""}})",
            R"({"type":"content_block_delta","delta":{"type":"text_delta","text":"a)"
            "\x01"
            R"("}})",
            R"({"type":"content_block_delta","delta":{"type":"text_delta","text":"x"}} junk)",
            R"(["content_block_delta"])",
            "",
        }) {
        EXPECT_FALSE(read_text_delta(data).has_value()) << data;
    }
}

}  // namespace
}  // namespace hadrian::providers
