#include "api/access_log.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "unused_sink.hpp"

namespace hadrian::api {
namespace {

using std::chrono::microseconds;

using test_support::unused_sink;

struct finished_request {
    core::http_request req;
    unused_sink sink;
    auth::key_hash_memo key_memo;
    request_context ctx{req, sink, "10.0.0.7", key_memo};

    finished_request() {
        req.start(http::verb::post, "POST", "/api/v1/chat/completions?x=1", 11);
        ctx.request_id = "rid-1";
        ctx.status = 200;
        ctx.model = "gpt-4o";
        ctx.provider = "openai";
        ctx.usage.input = 24;
        ctx.usage.output = 41;
        ctx.streamed = true;
    }
};

TEST(AccessFields, TextPairsWithADashForEmptyValues) {
    finished_request r;
    std::string out;
    append_access_fields(out, r.ctx, microseconds(1'234'567), microseconds(89), false);
    EXPECT_EQ(out,
              "request_id=rid-1 method=POST path=/api/v1/chat/completions status=200 "
              "latency_ms=1234.567 overhead_ms=0.089 model=gpt-4o provider=openai "
              "input_tokens=24 output_tokens=41 streamed=true error=- client_ip=10.0.0.7");
}

TEST(AccessFields, TextValuesCannotStartALineOfTheirOwn) {
    finished_request r;
    r.ctx.model = "m\nrequest_id=forged status=200";
    std::string out;
    append_access_fields(out, r.ctx, microseconds(0), microseconds(0), false);
    EXPECT_EQ(out.find('\n'), std::string::npos);
    EXPECT_NE(out.find(R"(model=m\nrequest_id=forged)"), std::string::npos) << out;
    EXPECT_NE(out.find("latency_ms=0.000 overhead_ms=0.000"), std::string::npos) << out;
}

TEST(AccessFields, JsonMembersParseBackToTheRequest) {
    finished_request r;
    r.ctx.model = "quote\" back\\ tab\t ctl\x01";
    r.ctx.error_code = "upstream_timeout";
    r.ctx.streamed = false;
    std::string out;
    append_access_fields(out, r.ctx, microseconds(5'000), microseconds(1'001), true);
    const auto doc = nlohmann::json::parse("{" + out + "}");
    EXPECT_EQ(doc.at("request_id"), "rid-1");
    EXPECT_EQ(doc.at("method"), "POST");
    EXPECT_EQ(doc.at("path"), "/api/v1/chat/completions");
    EXPECT_EQ(doc.at("status"), 200);
    EXPECT_DOUBLE_EQ(doc.at("latency_ms").get<double>(), 5.0);
    EXPECT_DOUBLE_EQ(doc.at("overhead_ms").get<double>(), 1.001);
    EXPECT_EQ(doc.at("model"), "quote\" back\\ tab\t ctl\x01");
    EXPECT_EQ(doc.at("provider"), "openai");
    EXPECT_EQ(doc.at("input_tokens"), 24);
    EXPECT_EQ(doc.at("output_tokens"), 41);
    EXPECT_EQ(doc.at("streamed"), false);
    EXPECT_EQ(doc.at("error"), "upstream_timeout");
    EXPECT_EQ(doc.at("client_ip"), "10.0.0.7");
    EXPECT_EQ(doc.size(), 13U);
}

}  // namespace
}  // namespace hadrian::api
