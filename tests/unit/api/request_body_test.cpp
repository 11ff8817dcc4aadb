#include "api/request_body.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace hadrian::api
