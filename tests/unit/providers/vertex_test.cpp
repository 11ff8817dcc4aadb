// The Gemini translation: request table, recorded responses and streams, errors, the model
// path segment and the service-account JWT.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>
#include <random>
#include <sstream>

#include "providers/google_auth.hpp"
#include "providers/vertex_stream.hpp"
#include "providers/vertex_translate.hpp"

namespace hadrian::providers {
namespace {

using json = nlohmann::json;

json fixture(const std::string& name) {
    std::ifstream in(std::string(HADRIAN_SOURCE_DIR) + "/tests/fixtures/vertex/" + name);
    std::stringstream text;
    text << in.rdbuf();
    return json::parse(text.str());
}

json request_of(const json& chat) {
    auto r = gemini::to_request(chat);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : json();
}

json user(const std::string& text) { return {{"role", "user"}, {"content", text}}; }

// ---------------------------------------------------------------------------------------
// Request translation

TEST(VertexRequest, RolesAndSystemInstruction) {
    const json g = request_of(
        {{"model", "gemini-2.5-flash"},
         {"stream", true},
         {"messages",
          {{{"role", "system"}, {"content", "Be brief."}},
           {{"role", "developer"}, {"content", {{{"type", "text"}, {"text", "Use English."}}}}},
           user("Hi"),
           {{"role", "assistant"}, {"content", "Hello!"}},
           user("Count to 3.")}}});
    EXPECT_EQ(g["systemInstruction"],
              (json{{"parts", {{{"text", "Be brief."}}, {{"text", "Use English."}}}}}));
    ASSERT_EQ(g["contents"].size(), 3u);
    EXPECT_EQ(g["contents"][0], (json{{"role", "user"}, {"parts", {{{"text", "Hi"}}}}}));
    EXPECT_EQ(g["contents"][1], (json{{"role", "model"}, {"parts", {{{"text", "Hello!"}}}}}));
    EXPECT_EQ(g["contents"][2]["parts"][0]["text"], "Count to 3.");
    EXPECT_FALSE(g.contains("model"));
    EXPECT_FALSE(g.contains("stream"));
    EXPECT_FALSE(g.contains("generationConfig"));
}

TEST(VertexRequest, ImageParts) {
    const json content = {
        {{"type", "text"}, {"text", "What is this?"}},
        {{"type", "image_url"}, {"image_url", {{"url", "data:image/png;base64,iVBORw0K"}}}},
        {{"type", "image_url"}, {"image_url", {{"url", "https://x.test/a/cat.WEBP?s=1"}}}},
        {{"type", "image_url"}, {"image_url", {{"url", "https://x.test/photo"}}}},
    };
    const json g = request_of({{"messages", {{{"role", "user"}, {"content", content}}}}});
    const json& parts = g["contents"][0]["parts"];
    ASSERT_EQ(parts.size(), 4u);
    EXPECT_EQ(parts[0], (json{{"text", "What is this?"}}));
    EXPECT_EQ(parts[1], (json{{"inlineData", {{"mimeType", "image/png"}, {"data", "iVBORw0K"}}}}));
    EXPECT_EQ(parts[2],
              (json{{"fileData",
                     {{"mimeType", "image/webp"}, {"fileUri", "https://x.test/a/cat.WEBP?s=1"}}}}));
    EXPECT_EQ(parts[3]["fileData"]["mimeType"], "image/jpeg");
}

TEST(VertexRequest, ToolCallsAndResults) {
    const json messages = {
        user("Weather in Paris and Rome?"),
        {{"role", "assistant"},
         {"content", nullptr},
         {"tool_calls",
          {{{"id", "call_a"},
            {"type", "function"},
            {"function", {{"name", "get_weather"}, {"arguments", "{\"city\":\"Paris\"}"}}}},
           {{"id", "call_b"},
            {"type", "function"},
            {"function", {{"name", "get_time"}, {"arguments", ""}}}}}}},
        {{"role", "tool"}, {"tool_call_id", "call_a"}, {"content", "{\"temp\":21}"}},
        {{"role", "tool"}, {"tool_call_id", "call_b"}, {"content", "noon"}},
        user("Thanks"),
    };
    const json g = request_of({{"messages", messages}});
    ASSERT_EQ(g["contents"].size(), 4u);
    EXPECT_EQ(g["contents"][1],
              (json{{"role", "model"},
                    {"parts",
                     {{{"functionCall", {{"name", "get_weather"}, {"args", {{"city", "Paris"}}}}}},
                      {{"functionCall", {{"name", "get_time"}, {"args", json::object()}}}}}}}));
    // Results of one turn's parallel calls go back in one user content.
    EXPECT_EQ(
        g["contents"][2],
        (json{{"role", "user"},
              {"parts",
               {{{"functionResponse",
                  {{"name", "get_weather"}, {"response", {{"content", {{"temp", 21}}}}}}}},
                {{"functionResponse",
                  {{"name", "get_time"}, {"response", {{"content", {{"result", "noon"}}}}}}}}}}}));
    EXPECT_EQ(g["contents"][3]["role"], "user");
}

TEST(VertexRequest, ToolsAreSanitized) {
    const json params = {
        {"$schema", "http://json-schema.org/draft-07/schema#"},
        {"type", "object"},
        {"additionalProperties", false},
        {"strict", true},
        {"properties",
         {{"strict", {{"type", "boolean"}}},
          {"where",
           {{"type", "object"},
            {"additionalProperties", false},
            {"properties", {{"city", {{"type", "string"}}}}}}},
          {"tags",
           {{"type", "array"}, {"items", {{"type", "object"}, {"additionalProperties", true}}}}}}},
        {"required", {"where"}},
    };
    const json g = request_of(
        {{"messages", {user("x")}},
         {"tools",
          {{{"type", "function"},
            {"function", {{"name", "f"}, {"description", "F."}, {"parameters", params}}}},
           {{"type", "function"},
            {"function",
             {{"name", "g"},
              {"parameters", {{"type", "object"}, {"properties", json::object()}}}}}}}}});
    const json& decls = g["tools"][0]["functionDeclarations"];
    ASSERT_EQ(decls.size(), 2u);
    EXPECT_EQ(decls[0]["name"], "f");
    EXPECT_EQ(decls[0]["description"], "F.");
    EXPECT_EQ(
        decls[0]["parameters"],
        (json{{"type", "object"},
              {"properties",
               {{"strict", {{"type", "boolean"}}},
                {"where", {{"type", "object"}, {"properties", {{"city", {{"type", "string"}}}}}}},
                {"tags", {{"type", "array"}, {"items", {{"type", "object"}}}}}}},
              {"required", {"where"}}}));
    EXPECT_EQ(decls[1], (json{{"name", "g"}}));  // no properties: no parameters
}

TEST(VertexRequest, ToolChoice) {
    const std::vector<std::pair<json, json>> table = {
        {"auto", {{"mode", "AUTO"}}},
        {"none", {{"mode", "NONE"}}},
        {"required", {{"mode", "ANY"}}},
        {{{"type", "function"}, {"function", {{"name", "f"}}}},
         {{"mode", "ANY"}, {"allowedFunctionNames", {"f"}}}},
    };
    for (const auto& [choice, expected] : table) {
        const json g = request_of({{"messages", {user("x")}}, {"tool_choice", choice}});
        EXPECT_EQ(g["toolConfig"]["functionCallingConfig"], expected) << choice.dump();
    }
}

TEST(VertexRequest, GenerationConfig) {
    const json g = request_of({{"messages", {user("x")}},
                               {"temperature", 0.5},
                               {"top_p", 0.9},
                               {"top_k", 40},
                               {"max_completion_tokens", 100},
                               {"max_tokens", 50},
                               {"stop", "END"},
                               {"n", 2},
                               {"seed", 7},
                               {"presence_penalty", 0.1},
                               {"frequency_penalty", 0.2},
                               {"reasoning_effort", "low"}});
    EXPECT_EQ(g["generationConfig"],
              (json{{"temperature", 0.5},
                    {"topP", 0.9},
                    {"topK", 40},
                    {"maxOutputTokens", 100},
                    {"stopSequences", {"END"}},
                    {"candidateCount", 2},
                    {"seed", 7},
                    {"presencePenalty", 0.1},
                    {"frequencyPenalty", 0.2},
                    {"thinkingConfig", {{"thinkingBudget", 1024}, {"includeThoughts", true}}}}));
    const json legacy = request_of({{"messages", {user("x")}},
                                    {"max_tokens", 50},
                                    {"stop", {"a", "b"}},
                                    {"reasoning_effort", "none"}});
    EXPECT_EQ(legacy["generationConfig"]["maxOutputTokens"], 50);
    EXPECT_EQ(legacy["generationConfig"]["stopSequences"], (json{"a", "b"}));
    EXPECT_EQ(legacy["generationConfig"]["thinkingConfig"],
              (json{{"thinkingBudget", 0}, {"includeThoughts", false}}));
}

TEST(VertexRequest, JsonSchemaResponseFormat) {
    const json g = request_of({{"messages", {user("x")}},
                               {"response_format",
                                {{"type", "json_schema"},
                                 {"json_schema",
                                  {{"name", "n"},
                                   {"strict", true},
                                   {"schema",
                                    {{"type", "object"},
                                     {"additionalProperties", false},
                                     {"properties", {{"a", {{"type", "integer"}}}}}}}}}}}});
    EXPECT_EQ(g["generationConfig"]["responseMimeType"], "application/json");
    EXPECT_EQ(g["generationConfig"]["responseSchema"],
              (json{{"type", "object"}, {"properties", {{"a", {{"type", "integer"}}}}}}));
    const json o =
        request_of({{"messages", {user("x")}}, {"response_format", {{"type", "json_object"}}}});
    EXPECT_EQ(o["generationConfig"], (json{{"responseMimeType", "application/json"}}));
}

TEST(VertexRequest, Rejections) {
    struct row {
        json body;
        std::string param;
    };
    const std::vector<row> table = {
        {{{"messages", {{{"role", "tool"}, {"tool_call_id", "nope"}, {"content", "x"}}}}},
         "messages[0].tool_call_id"},
        {{{"messages", {{{"role", "user"}, {"content", {{{"type", "video"}}}}}}}},
         "messages[0].content[0].type"},
        {{{"messages",
           {{{"role", "assistant"},
             {"tool_calls",
              {{{"id", "c"}, {"function", {{"name", "f"}, {"arguments", "[1]"}}}}}}}}}},
         "messages[0].tool_calls[0].function.arguments"},
        {{{"messages", {user("x")}}, {"reasoning_effort", "extreme"}}, "reasoning_effort"},
        {{{"messages", {user("x")}}, {"tools", {{{"type", "web_search"}}}}}, "tools[0].type"},
    };
    for (const auto& r : table) {
        auto out = gemini::to_request(r.body);
        ASSERT_FALSE(out.has_value()) << r.body.dump();
        EXPECT_EQ(out.error().status, 400);
        EXPECT_EQ(out.error().code, "validation_error");
        EXPECT_EQ(out.error().param.value_or(""), r.param);
    }
}

TEST(VertexRequest, ModelIsOnePathSegment) {
    EXPECT_EQ(gemini::model_segment("gemini-2.5-flash"), "gemini-2.5-flash");
    EXPECT_EQ(gemini::model_segment("tuned/../x?alt=json#f"), "tuned%2F..%2Fx%3Falt%3Djson%23f");
    EXPECT_EQ(gemini::model_segment("a b:c@d%"), "a%20b%3Ac%40d%25");
}

// ---------------------------------------------------------------------------------------
// Non-streaming responses

TEST(VertexResponse, GenerateContentSuccess) {
    const json body = fixture("generate_content_success.json")["response"]["body"];
    const json c = gemini::to_chat_completion(body, "chatcmpl-1", "gemini-2.0-flash", 1700000000);
    EXPECT_EQ(c["id"], "chatcmpl-1");
    EXPECT_EQ(c["object"], "chat.completion");
    EXPECT_EQ(c["created"], 1700000000);
    EXPECT_EQ(c["model"], "gemini-2.0-flash");
    ASSERT_EQ(c["choices"].size(), 1u);
    const json& choice = c["choices"][0];
    EXPECT_EQ(choice["index"], 0);
    EXPECT_EQ(choice["finish_reason"], "stop");
    EXPECT_TRUE(choice["logprobs"].is_null());
    EXPECT_EQ(choice["message"]["role"], "assistant");
    EXPECT_EQ(choice["message"]["content"], "2\n3\n5\n7\n11\n13\n17\n19\n23\n29\n");
    EXPECT_TRUE(choice["message"]["refusal"].is_null());
    EXPECT_FALSE(choice["message"].contains("tool_calls"));
    EXPECT_FALSE(choice["message"].contains("reasoning"));
    EXPECT_EQ(c["usage"], (json{{"prompt_tokens", 18},
                                {"completion_tokens", 26},
                                {"total_tokens", 44},
                                {"prompt_tokens_details", {{"cached_tokens", 0}}},
                                {"completion_tokens_details", {{"reasoning_tokens", 0}}}}));
}

TEST(VertexResponse, ToolCall) {
    const json body = fixture("tool_call_success.json")["response"]["body"];
    const json c = gemini::to_chat_completion(body, "chatcmpl-r1", "m", 1);
    const json& choice = c["choices"][0];
    EXPECT_EQ(choice["finish_reason"], "tool_calls");
    EXPECT_TRUE(choice["message"]["content"].is_null());
    ASSERT_EQ(choice["message"]["tool_calls"].size(), 1u);
    const json& call = choice["message"]["tool_calls"][0];
    EXPECT_EQ(call["id"], "call_r1_0");
    EXPECT_EQ(call["type"], "function");
    EXPECT_EQ(call["function"]["name"], "get_weather");
    EXPECT_EQ(json::parse(call["function"]["arguments"].get<std::string>()),
              (json{{"location", "San Francisco, USA"}}));
    EXPECT_EQ(c["usage"]["total_tokens"], 53);
}

TEST(VertexResponse, ThoughtsAndUsageDetails) {
    const json body = {
        {"candidates",
         {{{"content",
            {{"role", "model"},
             {"parts", {{{"text", "Let me think."}, {"thought", true}}, {{"text", "42"}}}}}},
           {"finishReason", "STOP"}}}},
        {"usageMetadata",
         {{"promptTokenCount", 100},
          {"cachedContentTokenCount", 60},
          {"candidatesTokenCount", 5},
          {"thoughtsTokenCount", 30},
          {"totalTokenCount", 135}}}};
    const json c = gemini::to_chat_completion(body, "chatcmpl-x", "m", 1);
    EXPECT_EQ(c["choices"][0]["message"]["content"], "42");
    EXPECT_EQ(c["choices"][0]["message"]["reasoning"], "Let me think.");
    EXPECT_EQ(c["usage"], (json{{"prompt_tokens", 100},
                                {"completion_tokens", 35},
                                {"total_tokens", 135},
                                {"prompt_tokens_details", {{"cached_tokens", 60}}},
                                {"completion_tokens_details", {{"reasoning_tokens", 30}}}}));
}

TEST(VertexResponse, FinishReasons) {
    const std::vector<std::pair<std::string, std::string>> table = {
        {"STOP", "stop"},
        {"MAX_TOKENS", "length"},
        {"SAFETY", "content_filter"},
        {"RECITATION", "content_filter"},
        {"BLOCKLIST", "content_filter"},
        {"PROHIBITED_CONTENT", "content_filter"},
        {"SPII", "content_filter"},
        {"OTHER", "stop"},
    };
    for (const auto& [gemini_reason, openai] : table) {
        const json body = {
            {"candidates",
             {{{"content", {{"parts", {{{"text", "x"}}}}}}, {"finishReason", gemini_reason}}}}};
        EXPECT_EQ(gemini::to_chat_completion(body, "i", "m", 1)["choices"][0]["finish_reason"],
                  openai)
            << gemini_reason;
    }
    EXPECT_EQ(gemini::finish_reason("STOP", true), "tool_calls");
    EXPECT_EQ(gemini::finish_reason("MAX_TOKENS", true), "length");
    const json blocked = {{"promptFeedback", {{"blockReason", "SAFETY"}}}};
    EXPECT_EQ(gemini::to_chat_completion(blocked, "i", "m", 1)["choices"][0]["finish_reason"],
              "content_filter");
}

TEST(VertexResponse, Errors) {
    const json bad = fixture("bad_request.json")["response"];
    auto e = gemini::to_api_error(bad["status"], bad["body"].dump(), core::header_fields{});
    EXPECT_EQ(e.status, 404);
    EXPECT_EQ(e.code, "NOT_FOUND");
    EXPECT_EQ(e.type, "invalid_request_error");
    EXPECT_EQ(e.message, bad["body"]["error"]["message"]);

    const json unauth = fixture("unauthorized.json")["response"];
    e = gemini::to_api_error(unauth["status"], unauth["body"].dump(), core::header_fields{});
    EXPECT_EQ(e.status, 401);
    EXPECT_EQ(e.code, "UNAUTHENTICATED");
    EXPECT_EQ(e.type, "authentication_error");

    const std::string array_body =
        R"([{"error":{"code":429,"message":"Quota","status":"RESOURCE_EXHAUSTED"}}])";
    core::header_fields headers;
    headers.add("Retry-After", "7");
    e = gemini::to_api_error(429, array_body, headers);
    EXPECT_EQ(e.status, 429);
    EXPECT_EQ(e.code, "RESOURCE_EXHAUSTED");
    EXPECT_EQ(e.message, "Quota");
    ASSERT_EQ(e.headers.size(), 1u);
    EXPECT_EQ(e.headers[0].second, "7");

    e = gemini::to_api_error(503, "upstream down", core::header_fields{});
    EXPECT_EQ(e.status, 503);
    EXPECT_NE(e.message.find("upstream down"), std::string::npos);
}

TEST(VertexResponse, OddShapesNeverThrow) {
    const std::vector<json> bodies = {
        json::object(),
        {{"candidates", {{"a", 1}}}},
        {{"candidates", {1, "x", nullptr}}},
        {{"candidates", {{{"content", "text"}}}}},
        {{"candidates", {{{"content", {{"parts", {1, {{"thought", "yes"}, {"text", 2}}}}}}}}}},
        {{"candidates", {{{"content", {{"parts", {{{"functionCall", {{"args", "x"}}}}}}}}}}}},
        {{"usageMetadata", "none"}, {"promptFeedback", 3}},
    };
    for (const auto& body : bodies) {
        EXPECT_NO_THROW(gemini::to_chat_completion(body, "i", "m", 1)) << body.dump();
    }
    const std::vector<json> requests = {
        {{"messages", {1, "x"}}},
        {{"messages", {{{"role", "assistant"}, {"tool_calls", {1, {{"function", 2}}}}}}}},
        {{"messages", {user("x")}},
         {"tool_choice", {{"type", "allowed_tools"}, {"allowed_tools", 3}}}},
        {{"messages", {user("x")}},
         {"response_format", {{"type", "json_schema"}, {"json_schema", 1}}}},
        {{"messages",
          {{{"role", "user"}, {"content", {{{"type", "image_url"}, {"image_url", 5}}}}}}}},
    };
    for (const auto& body : requests) {
        EXPECT_NO_THROW(gemini::to_request(body)) << body.dump();
    }
}

// ---------------------------------------------------------------------------------------
// Streams

/// The fixture's chunks as the SSE body Gemini sends (`data: …\r\n\r\n`).
std::string sse_body(const json& chunks) {
    std::string out;
    for (const auto& c : chunks) {
        out += "data: " + c.dump() + "\r\n\r\n";
    }
    return out;
}

struct decoded {
    std::vector<json> chunks;
    std::optional<core::api_error> error;
};

/// Feed `body` cut at the given offsets, then end it.
decoded decode(const std::string& body, std::vector<std::size_t> cuts) {
    gemini::stream_decoder decoder("chatcmpl-fallback", "gemini-2.0-flash", 1700000000);
    std::vector<sse::event> events;
    decoded out;
    std::sort(cuts.begin(), cuts.end());
    std::size_t at = 0;
    cuts.push_back(body.size());
    for (const std::size_t cut : cuts) {
        auto r = decoder.feed(std::string_view(body).substr(at, cut - at), events);
        at = cut;
        if (!r) {
            out.error = r.error();
            break;
        }
    }
    if (!out.error) {
        auto r = decoder.finish(events);
        if (!r) {
            out.error = r.error();
        }
    }
    for (const auto& e : events) {
        EXPECT_TRUE(e.event.empty());
        out.chunks.push_back(json::parse(e.data));
    }
    return out;
}

void check_text_stream(const decoded& d) {
    ASSERT_FALSE(d.error) << d.error->message;
    // Five text chunks, one finish chunk, one usage chunk.
    ASSERT_EQ(d.chunks.size(), 7u);
    std::string text;
    for (std::size_t i = 0; i < d.chunks.size(); ++i) {
        const json& c = d.chunks[i];
        EXPECT_EQ(c["id"], "chatcmpl-rrVHaczxIN7nidsPvpHV0QU");
        EXPECT_EQ(c["object"], "chat.completion.chunk");
        EXPECT_EQ(c["created"], 1700000000);
        EXPECT_EQ(c["model"], "gemini-2.0-flash");
        if (i + 1 == d.chunks.size()) {
            break;
        }
        ASSERT_EQ(c["choices"].size(), 1u);
        const json& choice = c["choices"][0];
        EXPECT_EQ(choice["index"], 0);
        EXPECT_EQ(choice["delta"].contains("role"), i == 0);
        if (i < 5) {
            EXPECT_TRUE(choice["finish_reason"].is_null());
            text += choice["delta"]["content"].get<std::string>();
        } else {
            EXPECT_EQ(choice["finish_reason"], "stop");
            EXPECT_EQ(choice["delta"], json::object());
        }
    }
    std::string expected;
    for (int n = 1; n <= 20; ++n) {
        expected += std::to_string(n) + "\n";
    }
    EXPECT_EQ(text, expected);
    const json& usage_chunk = d.chunks.back();
    EXPECT_EQ(usage_chunk["choices"], json::array());
    EXPECT_EQ(usage_chunk["usage"]["prompt_tokens"], 19);
    EXPECT_EQ(usage_chunk["usage"]["completion_tokens"], 51);
    EXPECT_EQ(usage_chunk["usage"]["total_tokens"], 70);
}

TEST(VertexStream, FixtureInOnePiece) {
    const std::string body =
        sse_body(fixture("generate_content_streaming.json")["response"]["chunks"]);
    check_text_stream(decode(body, {}));
}

TEST(VertexStream, FixtureSplitAtRandomPoints) {
    const std::string body =
        sse_body(fixture("generate_content_streaming.json")["response"]["chunks"]);
    std::mt19937 rng(12345);
    for (int round = 0; round < 200; ++round) {
        std::uniform_int_distribution<std::size_t> pos(0, body.size());
        std::vector<std::size_t> cuts(1 + round % 40);
        for (auto& c : cuts) {
            c = pos(rng);
        }
        check_text_stream(decode(body, cuts));
    }
}

TEST(VertexStream, FixtureSplitAtEveryByte) {
    const std::string body =
        sse_body(fixture("generate_content_streaming.json")["response"]["chunks"]);
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < body.size(); ++i) {
        cuts.push_back(i);
    }
    check_text_stream(decode(body, cuts));
}

TEST(VertexStream, ToolCall) {
    const auto d =
        decode(sse_body(fixture("tool_call_streaming.json")["response"]["chunks"]), {37, 90});
    ASSERT_FALSE(d.error);
    ASSERT_EQ(d.chunks.size(), 3u);
    const json& delta = d.chunks[0]["choices"][0]["delta"];
    EXPECT_EQ(delta["role"], "assistant");
    ASSERT_EQ(delta["tool_calls"].size(), 1u);
    const json& call = delta["tool_calls"][0];
    EXPECT_EQ(call["index"], 0);
    EXPECT_EQ(call["id"], "call_sbVHaYvILOK1xMwPjoCtgQg_0");
    EXPECT_EQ(call["type"], "function");
    EXPECT_EQ(call["function"]["name"], "get_weather");
    EXPECT_EQ(json::parse(call["function"]["arguments"].get<std::string>()),
              (json{{"location", "San Francisco, USA"}}));
    EXPECT_EQ(d.chunks[1]["choices"][0]["finish_reason"], "tool_calls");
    EXPECT_EQ(d.chunks[2]["usage"]["total_tokens"], 53);
}

TEST(VertexStream, ThoughtsAreReasoning) {
    const json chunks = {
        {{"candidates", {{{"content", {{"parts", {{{"text", "Hmm."}, {"thought", true}}}}}}}}}},
        {{"candidates",
          {{{"content", {{"parts", {{{"text", "Yes."}}}}}}, {"finishReason", "MAX_TOKENS"}}}},
         {"usageMetadata",
          {{"promptTokenCount", 3}, {"candidatesTokenCount", 2}, {"thoughtsTokenCount", 4}}}},
    };
    const auto d = decode(sse_body(chunks), {});
    ASSERT_FALSE(d.error);
    ASSERT_EQ(d.chunks.size(), 4u);
    EXPECT_EQ(d.chunks[0]["id"], "chatcmpl-fallback");
    EXPECT_EQ(d.chunks[0]["choices"][0]["delta"]["reasoning"], "Hmm.");
    EXPECT_EQ(d.chunks[1]["choices"][0]["delta"], (json{{"content", "Yes."}}));
    EXPECT_EQ(d.chunks[2]["choices"][0]["finish_reason"], "length");
    EXPECT_EQ(d.chunks[3]["usage"]["completion_tokens"], 6);
    EXPECT_EQ(d.chunks[3]["usage"]["completion_tokens_details"]["reasoning_tokens"], 4);
    EXPECT_EQ(d.chunks[3]["usage"]["total_tokens"], 9);
}

TEST(VertexStream, SafetyFinish) {
    const json chunks = {{{"candidates", {{{"finishReason", "SAFETY"}}}}}};
    const auto d = decode(sse_body(chunks), {});
    ASSERT_FALSE(d.error);
    ASSERT_EQ(d.chunks.size(), 2u);
    EXPECT_EQ(d.chunks[0]["choices"][0]["finish_reason"], "content_filter");
    EXPECT_EQ(d.chunks[0]["choices"][0]["delta"]["role"], "assistant");
}

TEST(VertexStream, EndBeforeFinishIsAnError) {
    json chunks = fixture("generate_content_streaming.json")["response"]["chunks"];
    chunks.erase(chunks.size() - 1);
    const auto d = decode(sse_body(chunks), {});
    ASSERT_TRUE(d.error);
    EXPECT_EQ(d.error->status, 502);
    EXPECT_EQ(d.error->code, "provider_error");
    EXPECT_EQ(d.chunks.size(), 4u);  // what came before is kept
}

TEST(VertexStream, InBandErrorAndGarbage) {
    auto d = decode(
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\"}]}}]}\n\n"
        "data: "
        "{\"error\":{\"code\":503,\"message\":\"overloaded\",\"status\":\"UNAVAILABLE\"}}\n\n",
        {});
    ASSERT_TRUE(d.error);
    EXPECT_EQ(d.error->status, 503);
    EXPECT_EQ(d.error->code, "UNAVAILABLE");
    EXPECT_EQ(d.error->message, "overloaded");
    EXPECT_EQ(d.chunks.size(), 1u);

    d = decode("data: {not json\n\n", {});
    ASSERT_TRUE(d.error);
    EXPECT_EQ(d.error->status, 502);
}

// ---------------------------------------------------------------------------------------
// Service account JWT

std::string test_key_pem() {
    EVP_PKEY* key = EVP_RSA_gen(2048);
    EXPECT_NE(key, nullptr);
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    EVP_PKEY_free(key);
    return pem;
}

std::string base64url_decode(std::string s) {
    std::replace(s.begin(), s.end(), '-', '+');
    std::replace(s.begin(), s.end(), '_', '/');
    while (s.size() % 4 != 0) {
        s += '=';
    }
    std::string out(s.size(), '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(s.data()),
                                  static_cast<int>(s.size()));
    out.resize(static_cast<std::size_t>(n) - std::count(s.begin(), s.end(), '='));
    return out;
}

TEST(GoogleJwt, Base64Url) {
    EXPECT_EQ(google_jwt::base64url(""), "");
    EXPECT_EQ(google_jwt::base64url("f"), "Zg");
    EXPECT_EQ(google_jwt::base64url("fo"), "Zm8");
    EXPECT_EQ(google_jwt::base64url("foo"), "Zm9v");
    EXPECT_EQ(google_jwt::base64url("\xfb\xff"), "-_8");
}

TEST(GoogleJwt, SignsAndVerifies) {
    const std::string pem = test_key_pem();
    const json claims =
        google_jwt::claims("sa@p.iam.gserviceaccount.com", "https://oauth2.test/token", 1000);
    EXPECT_EQ(claims, (json{{"iss", "sa@p.iam.gserviceaccount.com"},
                            {"scope", "https://www.googleapis.com/auth/cloud-platform"},
                            {"aud", "https://oauth2.test/token"},
                            {"iat", 1000},
                            {"exp", 4600}}));
    const auto jwt = google_jwt::sign_rs256(pem, claims);
    ASSERT_TRUE(jwt);
    const auto dot1 = jwt->find('.');
    const auto dot2 = jwt->rfind('.');
    ASSERT_NE(dot1, dot2);
    EXPECT_EQ(json::parse(base64url_decode(jwt->substr(0, dot1))),
              (json{{"alg", "RS256"}, {"typ", "JWT"}}));
    EXPECT_EQ(json::parse(base64url_decode(jwt->substr(dot1 + 1, dot2 - dot1 - 1))), claims);

    // Verify the signature with the public half of the key.
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    ASSERT_NE(key, nullptr);
    const std::string input = jwt->substr(0, dot2);
    const std::string sig = base64url_decode(jwt->substr(dot2 + 1));
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ASSERT_EQ(EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key), 1);
    EXPECT_EQ(EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                               reinterpret_cast<const unsigned char*>(input.data()), input.size()),
              1);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);

    EXPECT_FALSE(google_jwt::sign_rs256("not a key", claims));
}

TEST(GoogleJwt, TokenRequestBody) {
    EXPECT_EQ(google_jwt::token_request_body("a.b-c_d"),
              "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b-c_d");
}

}  // namespace
}  // namespace hadrian::providers
