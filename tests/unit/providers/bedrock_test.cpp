// Bedrock Converse translation: the request out, every recorded answer in (field by field
// against what OpenAI answers), stream events, errors, and the signed upstream request.
#include "providers/bedrock.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <sstream>

#include "providers/bedrock_translate.hpp"

namespace hp = hadrian::providers;
namespace cv = hadrian::providers::converse;
using nlohmann::json;

namespace {

json fixture(const std::string& name) {
    std::ifstream in(std::string(HADRIAN_SOURCE_DIR) + "/tests/fixtures/bedrock/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
}

json translate(const json& chat, const std::string& model = "us.amazon.nova-lite-v1:0") {
    auto r = cv::to_request(chat, model);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : json();
}

hadrian::core::api_error translate_error(const json& chat) {
    auto r = cv::to_request(chat, "us.amazon.nova-lite-v1:0");
    EXPECT_FALSE(r);
    return r ? hadrian::core::api_error{} : r.error();
}

// ---------------------------------------------------------------------------- request

TEST(bedrock_request, messages_system_and_inference_config) {
    const json chat = {
        {"model", "x"},
        {"messages",
         {{{"role", "system"}, {"content", "Be brief."}},
          {{"role", "developer"}, {"content", {{{"type", "text"}, {"text", "No lists."}}}}},
          {{"role", "user"}, {"content", "Hi"}},
          {{"role", "user"}, {"content", {{{"type", "text"}, {"text", "there"}}}}},
          {{"role", "assistant"}, {"content", "Hello"}},
          {{"role", "user"}, {"content", "Count"}}}},
        {"max_completion_tokens", 100},
        {"max_tokens", 5},
        {"temperature", 0.5},
        {"top_p", 0.9},
        {"stop", "END"},
        {"frequency_penalty", 1},
        {"seed", 3},
        {"stream", true}};
    const json body = translate(chat);
    EXPECT_EQ(body["system"], json::parse(R"([{"text":"Be brief."},{"text":"No lists."}])"));
    EXPECT_EQ(body["messages"], json::parse(R"([
        {"role":"user","content":[{"text":"Hi"},{"text":"there"}]},
        {"role":"assistant","content":[{"text":"Hello"}]},
        {"role":"user","content":[{"text":"Count"}]}])"));
    EXPECT_EQ(
        body["inferenceConfig"],
        json::parse(R"({"maxTokens":100,"temperature":0.5,"topP":0.9,"stopSequences":["END"]})"));
    EXPECT_FALSE(body.contains("toolConfig"));
    EXPECT_FALSE(body.contains("additionalModelRequestFields"));
    EXPECT_FALSE(body.contains("model"));
    EXPECT_FALSE(body.contains("stream"));
    EXPECT_FALSE(body.contains("seed"));
}

TEST(bedrock_request, minimal_request_has_no_inference_config) {
    const json body = translate({{"messages", {{{"role", "user"}, {"content", "Hi"}}}}});
    EXPECT_EQ(body, json::parse(R"({"messages":[{"role":"user","content":[{"text":"Hi"}]}]})"));
}

TEST(bedrock_request, tools_tool_calls_and_results) {
    const json chat = json::parse(R"({
      "messages": [
        {"role": "user", "content": "Weather in SF?"},
        {"role": "assistant", "content": null, "tool_calls": [
          {"id": "tooluse_1", "type": "function",
           "function": {"name": "get_weather", "arguments": "{\"location\":\"San Francisco, USA\"}"}},
          {"id": "tooluse_2", "type": "function", "function": {"name": "get_time", "arguments": ""}}]},
        {"role": "tool", "tool_call_id": "tooluse_1", "content": "{\"temp\":18}"},
        {"role": "tool", "tool_call_id": "tooluse_2", "content": [{"type": "text", "text": "noon"}]},
        {"role": "user", "content": "Thanks"}],
      "tools": [
        {"type": "function", "function": {"name": "get_weather", "description": "Weather",
          "parameters": {"type": "object", "properties": {"location": {"type": "string"}},
                         "required": ["location"]}}},
        {"type": "function", "function": {"name": "get_time"}}],
      "tool_choice": {"type": "function", "function": {"name": "get_weather"}}
    })");
    const json body = translate(chat);
    EXPECT_EQ(body["messages"], json::parse(R"([
      {"role":"user","content":[{"text":"Weather in SF?"}]},
      {"role":"assistant","content":[
        {"toolUse":{"toolUseId":"tooluse_1","name":"get_weather","input":{"location":"San Francisco, USA"}}},
        {"toolUse":{"toolUseId":"tooluse_2","name":"get_time","input":{}}}]},
      {"role":"user","content":[
        {"toolResult":{"toolUseId":"tooluse_1","content":[{"text":"{\"temp\":18}"}]}},
        {"toolResult":{"toolUseId":"tooluse_2","content":[{"text":"noon"}]}},
        {"text":"Thanks"}]}])"));
    EXPECT_EQ(body["toolConfig"], json::parse(R"({
      "tools":[
        {"toolSpec":{"name":"get_weather","description":"Weather","inputSchema":{"json":
          {"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}}},
        {"toolSpec":{"name":"get_time","inputSchema":{"json":{"type":"object","properties":{}}}}}],
      "toolChoice":{"tool":{"name":"get_weather"}}})"));
}

TEST(bedrock_request, tool_choice_variants) {
    json chat = {{"messages", {{{"role", "user"}, {"content", "Hi"}}}},
                 {"tools", {{{"type", "function"}, {"function", {{"name", "f"}}}}}}};
    EXPECT_EQ(translate(chat)["toolConfig"]["toolChoice"], json::parse(R"({"auto":{}})"));
    chat["tool_choice"] = "auto";
    EXPECT_EQ(translate(chat)["toolConfig"]["toolChoice"], json::parse(R"({"auto":{}})"));
    chat["tool_choice"] = "required";
    EXPECT_EQ(translate(chat)["toolConfig"]["toolChoice"], json::parse(R"({"any":{}})"));
    chat["tool_choice"] = "none";
    EXPECT_FALSE(translate(chat).contains("toolConfig"));
    // With tool blocks in the conversation Bedrock needs the tools; "none" keeps them.
    chat["messages"].push_back({{"role", "tool"}, {"tool_call_id", "t"}, {"content", "x"}});
    const json body = translate(chat);
    EXPECT_TRUE(body["toolConfig"].contains("tools"));
    EXPECT_FALSE(body["toolConfig"].contains("toolChoice"));
    chat["tool_choice"] = "sometimes";
    EXPECT_EQ(translate_error(chat).param, "tool_choice");
}

TEST(bedrock_request, images_inline_only) {
    const json chat = json::parse(R"({"messages":[{"role":"user","content":[
      {"type":"text","text":"Describe"},
      {"type":"image_url","image_url":{"url":"data:image/jpg;base64,QUJD"}},
      {"type":"image_url","image_url":{"url":"data:image/webp;base64,REVG","detail":"low"}}]}]})");
    EXPECT_EQ(translate(chat)["messages"][0]["content"], json::parse(R"([
      {"text":"Describe"},
      {"image":{"format":"jpeg","source":{"bytes":"QUJD"}}},
      {"image":{"format":"webp","source":{"bytes":"REVG"}}}])"));

    json remote = chat;
    remote["messages"][0]["content"][1]["image_url"]["url"] = "https://example.com/cat.png";
    auto err = translate_error(remote);
    EXPECT_EQ(err.status, 400);
    EXPECT_EQ(err.code, "validation_error");
    EXPECT_EQ(err.param, "messages[0].content[1].image_url");

    json tiff = chat;
    tiff["messages"][0]["content"][2]["image_url"]["url"] = "data:image/tiff;base64,AAAA";
    EXPECT_EQ(translate_error(tiff).param, "messages[0].content[2].image_url");

    json audio = chat;
    audio["messages"][0]["content"][0] = {{"type", "input_audio"}};
    EXPECT_EQ(translate_error(audio).param, "messages[0].content[0]");
}

TEST(bedrock_request, validation_errors) {
    EXPECT_EQ(translate_error({{"model", "x"}}).param, "messages");
    EXPECT_EQ(translate_error({{"messages", {{{"role", "wizard"}, {"content", "x"}}}}}).param,
              "messages[0].role");
    EXPECT_EQ(
        translate_error({{"messages", {{{"role", "user"}, {"content", "x"}}}}, {"n", 2}}).param,
        "n");
    const json bad_args = json::parse(R"({"messages":[{"role":"assistant","tool_calls":[
      {"id":"a","type":"function","function":{"name":"f","arguments":"[1,2]"}}]}]})");
    EXPECT_EQ(translate_error(bad_args).param, "messages[0].tool_calls[0].function.arguments");
    const json web = json::parse(
        R"({"messages":[{"role":"user","content":"x"}],"tools":[{"type":"web_search"}]})");
    EXPECT_EQ(translate_error(web).param, "tools[0]");
    EXPECT_EQ(translate_error(
                  {{"messages", {{{"role", "user"}, {"content", "x"}}}}, {"max_tokens", "lots"}})
                  .param,
              "max_tokens");
}

TEST(bedrock_request, reasoning_effort_by_model_family) {
    const json chat = {{"messages", {{{"role", "user"}, {"content", "Think"}}}},
                       {"reasoning_effort", "medium"},
                       {"max_tokens", 1000},
                       {"temperature", 0.2},
                       {"top_k", 5}};
    const json claude = translate(chat, "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
    EXPECT_EQ(claude["additionalModelRequestFields"],
              json::parse(R"({"thinking":{"type":"enabled","budget_tokens":4096},"top_k":5})"));
    EXPECT_EQ(claude["inferenceConfig"], json::parse(R"({"maxTokens":5096})"));

    const json nova = translate(chat, "us.amazon.nova-2-lite-v1:0");
    EXPECT_EQ(
        nova["additionalModelRequestFields"],
        json::parse(R"({"reasoningConfig":{"type":"enabled","maxReasoningEffort":"medium"}})"));
    EXPECT_EQ(nova["inferenceConfig"], json::parse(R"({"maxTokens":1000,"temperature":0.2})"));

    const json other = translate(chat, "meta.llama3-70b-instruct-v1:0");
    EXPECT_FALSE(other.contains("additionalModelRequestFields"));

    json none = chat;
    none["reasoning_effort"] = "none";
    EXPECT_EQ(translate(none, "anthropic.claude-3-haiku")["additionalModelRequestFields"],
              json::parse(R"({"top_k":5})"));
}

TEST(bedrock_request, model_segment_is_one_encoded_path_segment) {
    EXPECT_EQ(cv::model_segment("us.amazon.nova-lite-v1:0"), "us.amazon.nova-lite-v1%3A0");
    EXPECT_EQ(cv::model_segment("arn:aws:bedrock:us-east-1:123:inference-profile/x"),
              "arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Ainference-profile%2Fx");
    EXPECT_EQ(cv::model_segment("../a?b#c"), "..%2Fa%3Fb%23c");
}

// ---------------------------------------------------------------------------- response

json openai_completion(const std::string& name) {
    const json f = fixture(name);
    return cv::to_chat_completion(f["response"]["body"], "chatcmpl-1", "m", 1700000000);
}

TEST(bedrock_response, converse_success_like_openai) {
    const json c = openai_completion("converse_success.json");
    EXPECT_EQ(c["id"], "chatcmpl-1");
    EXPECT_EQ(c["object"], "chat.completion");
    EXPECT_EQ(c["created"], 1700000000);
    EXPECT_EQ(c["model"], "m");
    ASSERT_EQ(c["choices"].size(), 1U);
    const json& choice = c["choices"][0];
    EXPECT_EQ(choice["index"], 0);
    EXPECT_TRUE(choice["logprobs"].is_null());
    EXPECT_EQ(choice["finish_reason"], "stop");
    EXPECT_EQ(choice["message"]["role"], "assistant");
    EXPECT_EQ(choice["message"]["content"],
              "2  \n3  \n5  \n7  \n11  \n13  \n17  \n19  \n23  \n29  ");
    EXPECT_TRUE(choice["message"]["refusal"].is_null());
    EXPECT_FALSE(choice["message"].contains("tool_calls"));
    EXPECT_FALSE(choice["message"].contains("reasoning"));
    EXPECT_EQ(c["usage"], json::parse(R"({"prompt_tokens":63,"completion_tokens":21,
        "total_tokens":84,"prompt_tokens_details":{"cached_tokens":0},
        "completion_tokens_details":{"reasoning_tokens":0}})"));
}

TEST(bedrock_response, every_text_fixture) {
    for (const char* name :
         {"responses_success.json", "tool_call_with_result.json", "vision_success.json"}) {
        const json f = fixture(name);
        const json c = openai_completion(name);
        const json& u = f["response"]["body"]["usage"];
        EXPECT_EQ(c["choices"][0]["message"]["content"],
                  f["response"]["body"]["output"]["message"]["content"][0]["text"])
            << name;
        EXPECT_EQ(c["choices"][0]["finish_reason"], "stop") << name;
        EXPECT_EQ(c["usage"]["prompt_tokens"], u["inputTokens"]) << name;
        EXPECT_EQ(c["usage"]["completion_tokens"], u["outputTokens"]) << name;
        EXPECT_EQ(c["usage"]["total_tokens"], u["totalTokens"]) << name;
    }
}

TEST(bedrock_response, tool_call_success_like_openai) {
    const json c = openai_completion("tool_call_success.json");
    const json& choice = c["choices"][0];
    EXPECT_EQ(choice["finish_reason"], "tool_calls");
    EXPECT_TRUE(choice["message"]["content"].is_null());
    ASSERT_EQ(choice["message"]["tool_calls"].size(), 1U);
    const json& call = choice["message"]["tool_calls"][0];
    EXPECT_EQ(call["id"], "tooluse_8IcDV3fsQsqfAKjk-wsTCw");
    EXPECT_EQ(call["type"], "function");
    EXPECT_EQ(call["function"]["name"], "get_weather");
    EXPECT_EQ(json::parse(call["function"]["arguments"].get<std::string>()),
              json::parse(R"({"location":"San Francisco, USA"})"));
    EXPECT_EQ(c["usage"]["prompt_tokens"], 596);
    EXPECT_EQ(c["usage"]["completion_tokens"], 56);
    EXPECT_EQ(c["usage"]["total_tokens"], 652);
    EXPECT_EQ(c["usage"]["prompt_tokens_details"]["cached_tokens"], 0);
}

TEST(bedrock_response, reasoning_cache_and_stop_reasons) {
    const json body = json::parse(R"({
      "output":{"message":{"role":"assistant","content":[
        {"reasoningContent":{"reasoningText":{"text":"Let me think.","signature":"sig"}}},
        {"text":"Answer"}]}},
      "stopReason":"max_tokens",
      "usage":{"inputTokens":10,"outputTokens":5,"totalTokens":45,
               "cacheReadInputTokens":20,"cacheWriteInputTokens":10}})");
    const json c = cv::to_chat_completion(body, "id", "m", 1);
    EXPECT_EQ(c["choices"][0]["message"]["reasoning"], "Let me think.");
    EXPECT_EQ(c["choices"][0]["message"]["content"], "Answer");
    EXPECT_EQ(c["choices"][0]["finish_reason"], "length");
    EXPECT_EQ(c["usage"], json::parse(R"({"prompt_tokens":40,"completion_tokens":5,
        "total_tokens":45,"prompt_tokens_details":{"cached_tokens":20,"cache_write_tokens":10},
        "completion_tokens_details":{"reasoning_tokens":0}})"));

    EXPECT_EQ(cv::finish_reason("end_turn", false), "stop");
    EXPECT_EQ(cv::finish_reason("stop_sequence", false), "stop");
    EXPECT_EQ(cv::finish_reason("max_tokens", false), "length");
    EXPECT_EQ(cv::finish_reason("tool_use", false), "tool_calls");
    EXPECT_EQ(cv::finish_reason("end_turn", true), "tool_calls");
    EXPECT_EQ(cv::finish_reason("content_filtered", false), "content_filter");
    EXPECT_EQ(cv::finish_reason("guardrail_intervened", false), "content_filter");
    EXPECT_EQ(cv::finish_reason("something_new", false), "stop");
}

// ---------------------------------------------------------------------------- errors

TEST(bedrock_errors, http_errors_keep_status_and_error_type) {
    for (const char* name : {"bad_request.json", "unauthorized.json"}) {
        const json f = fixture(name);
        hadrian::core::header_fields headers;
        for (const auto& [k, v] : f["response"]["headers"].items()) {
            headers.add(k, v.get<std::string>());
        }
        const int status = f["response"]["status"];
        const auto err = cv::to_api_error(status, f["response"]["body"].dump(), headers);
        EXPECT_EQ(err.status, status);
        EXPECT_EQ(err.message, f["response"]["body"]["message"]);
        const std::string type = f["response"]["headers"]["x-amzn-errortype"];
        EXPECT_EQ(err.code, type.substr(0, type.find(':')));
    }
    hadrian::core::header_fields none;
    const auto typed = cv::to_api_error(
        429, R"({"__type":"com.amazon#ThrottlingException","message":"slow down"})", none);
    EXPECT_EQ(typed.code, "ThrottlingException");
    EXPECT_EQ(typed.type, "rate_limit_error");
    const auto opaque = cv::to_api_error(503, "<html>oops</html>", none);
    EXPECT_EQ(opaque.status, 503);
    EXPECT_NE(opaque.message.find("oops"), std::string::npos);
}

// ---------------------------------------------------------------------------- stream

hp::aws_eventstream::message event_message(const std::string& type, const json& payload) {
    hp::aws_eventstream::message m;
    m.headers.push_back({":event-type", hp::aws_eventstream::value_type::string, type});
    m.headers.push_back(
        {":content-type", hp::aws_eventstream::value_type::string, "application/json"});
    m.headers.push_back({":message-type", hp::aws_eventstream::value_type::string, "event"});
    m.payload = payload.dump();
    return m;
}

std::vector<json> replay(const std::string& name, cv::stream_translator& t) {
    std::vector<json> chunks;
    const json f = fixture(name);
    for (const json& ev : f["response"]["events"]) {
        auto r = t.on_message(event_message(ev["event_type"], ev["payload"]), chunks);
        EXPECT_TRUE(r) << (r ? "" : r.error().message);
    }
    return chunks;
}

TEST(bedrock_stream, converse_streaming_like_openai) {
    cv::stream_translator t("chatcmpl-9", "m", 5);
    const auto chunks = replay("converse_streaming.json", t);
    EXPECT_TRUE(t.complete());
    // role, 9 text deltas, finish, usage.
    ASSERT_EQ(chunks.size(), 12U);
    for (const json& c : chunks) {
        EXPECT_EQ(c["id"], "chatcmpl-9");
        EXPECT_EQ(c["object"], "chat.completion.chunk");
        EXPECT_EQ(c["created"], 5);
        EXPECT_EQ(c["model"], "m");
    }
    EXPECT_EQ(chunks[0]["choices"][0]["delta"],
              json::parse(R"({"role":"assistant","content":""})"));
    std::string text;
    for (std::size_t i = 1; i <= 9; ++i) {
        EXPECT_TRUE(chunks[i]["choices"][0]["finish_reason"].is_null());
        text += chunks[i]["choices"][0]["delta"]["content"].get<std::string>();
    }
    EXPECT_EQ(text,
              "1  \n2  \n3  \n4  \n5  \n6  \n7  \n8  \n9  \n10  \n11  \n12  \n13  \n14  \n15  "
              "\n16  \n17  \n18  \n19  \n20");
    EXPECT_EQ(chunks[10]["choices"][0]["delta"], json::object());
    EXPECT_EQ(chunks[10]["choices"][0]["finish_reason"], "stop");
    EXPECT_EQ(chunks[11]["choices"], json::array());
    EXPECT_EQ(chunks[11]["usage"]["prompt_tokens"], 64);
    EXPECT_EQ(chunks[11]["usage"]["completion_tokens"], 40);
    EXPECT_EQ(chunks[11]["usage"]["total_tokens"], 104);
}

TEST(bedrock_stream, tool_call_streaming_arguments_arrive_as_deltas) {
    cv::stream_translator t("chatcmpl-9", "m", 5);
    const auto chunks = replay("tool_call_streaming.json", t);
    ASSERT_GE(chunks.size(), 4U);
    EXPECT_EQ(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    EXPECT_EQ(chunks[1]["choices"][0]["delta"], json::parse(R"({"tool_calls":[{"index":0,
        "id":"tooluse_Vbt5VfgsRmizsIl7MPx2Qw","type":"function",
        "function":{"name":"get_weather","arguments":""}}]})"));
    std::string args;
    std::size_t fragments = 0;
    std::size_t i = 2;
    for (; i < chunks.size() && chunks[i]["choices"].size() == 1 &&
           chunks[i]["choices"][0]["finish_reason"].is_null();
         ++i) {
        const json& call = chunks[i]["choices"][0]["delta"]["tool_calls"][0];
        EXPECT_EQ(call["index"], 0);
        EXPECT_FALSE(call.contains("id"));
        args += call["function"]["arguments"].get<std::string>();
        ++fragments;
    }
    EXPECT_EQ(fragments, 6U);  // the empty first fragment is not sent
    EXPECT_EQ(json::parse(args), json::parse(R"({"location": "San Francisco, USA"})"));
    ASSERT_EQ(chunks.size(), i + 2);
    EXPECT_EQ(chunks[i]["choices"][0]["finish_reason"], "tool_calls");
    EXPECT_EQ(chunks[i + 1]["usage"]["prompt_tokens"], 596);
    EXPECT_EQ(chunks[i + 1]["usage"]["completion_tokens"], 56);
    EXPECT_TRUE(t.complete());
}

TEST(bedrock_stream, reasoning_deltas) {
    cv::stream_translator t("c", "m", 1);
    std::vector<json> chunks;
    ASSERT_TRUE(t.on_message(
        event_message(
            "contentBlockDelta",
            json::parse(R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"hmm"}}})")),
        chunks));
    ASSERT_EQ(chunks.size(), 2U);  // role first, although messageStart never came
    EXPECT_EQ(chunks[1]["choices"][0]["delta"], json::parse(R"({"reasoning":"hmm"})"));
    EXPECT_FALSE(t.complete());
}

TEST(bedrock_stream, exceptions_and_bad_payloads_are_errors) {
    cv::stream_translator t("c", "m", 1);
    std::vector<json> chunks;
    hp::aws_eventstream::message m;
    m.headers.push_back(
        {":exception-type", hp::aws_eventstream::value_type::string, "throttlingException"});
    m.headers.push_back({":message-type", hp::aws_eventstream::value_type::string, "exception"});
    m.payload = R"({"message":"Too many requests, please wait before trying again."})";
    auto r = t.on_message(m, chunks);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status, 429);
    EXPECT_EQ(r.error().code, "throttlingException");
    EXPECT_EQ(r.error().message, "Too many requests, please wait before trying again.");

    auto bad = event_message("contentBlockDelta", json::object());
    bad.payload = "not json";
    EXPECT_FALSE(t.on_message(bad, chunks));
    EXPECT_TRUE(chunks.empty());
}

// ---------------------------------------------------------------------------- adapter

TEST(bedrock_adapter, signed_request_shape) {
    boost::asio::io_context ioc;
    hadrian::upstream::client client(ioc);
    hadrian::config::provider_config cfg;
    cfg.name = "bedrock";
    cfg.type = hadrian::config::provider_type::bedrock;
    cfg.region = "us-east-1";
    cfg.base_url = "http://127.0.0.1:8123/";
    cfg.credentials.emplace();
    cfg.credentials->type = "static";
    cfg.credentials->access_key_id = "AKIDEXAMPLE";
    cfg.credentials->secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    cfg.credentials->session_token = "session";
    hp::bedrock adapter(cfg, client, std::chrono::seconds(5));
    const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(1704067200));
    const auto req = adapter.build_request("us.amazon.nova-lite-v1:0", true, "{}", when);
    EXPECT_EQ(req.target.target, "/model/us.amazon.nova-lite-v1%3A0/converse-stream");
    auto header = [&req](const std::string& name) {
        for (const auto& [k, v] : req.headers) {
            if (k == name) {
                return v;
            }
        }
        return std::string();
    };
    EXPECT_EQ(header("Host"), "127.0.0.1:8123");
    EXPECT_EQ(header("X-Amz-Date"), "20240101T000000Z");
    EXPECT_EQ(header("X-Amz-Security-Token"), "session");
    EXPECT_EQ(header("Content-Type"), "application/json");
    EXPECT_EQ(header("Accept"), "application/vnd.amazon.eventstream");
    const std::string auth = header("Authorization");
    EXPECT_EQ(auth.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/bedrock/"
                         "aws4_request, SignedHeaders=content-type;host;x-amz-date;"
                         "x-amz-security-token, Signature=",
                         0),
              0U)
        << auth;
    EXPECT_EQ(adapter.build_request("a/b", false, "{}", when).target.target,
              "/model/a%2Fb/converse");
}

}  // namespace
