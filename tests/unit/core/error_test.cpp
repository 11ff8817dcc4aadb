#include "hadrian/core/error.hpp"

#include <gtest/gtest.h>

namespace hadrian::core {
namespace {

struct mapping_row {
    errc code;
    int status;
    const char* type;
    const char* name;
};

TEST(ErrorMapping, EveryCodeHasTheDocumentedStatusAndType) {
    const mapping_row rows[] = {
        {errc::invalid_json, 400, "invalid_request_error", "invalid_json"},
        {errc::validation_error, 400, "invalid_request_error", "validation_error"},
        {errc::payload_too_large, 413, "invalid_request_error", "payload_too_large"},
        {errc::routing_error, 400, "invalid_request_error", "routing_error"},
        {errc::missing_credentials, 401, "authentication_error", "missing_credentials"},
        {errc::invalid_api_key, 401, "authentication_error", "invalid_api_key"},
        {errc::insufficient_scope, 403, "permission_error", "insufficient_scope"},
        {errc::model_not_allowed, 403, "permission_error", "model_not_allowed"},
        {errc::ip_not_allowed, 403, "permission_error", "ip_not_allowed"},
        {errc::budget_exceeded, 402, "invalid_request_error", "budget_exceeded"},
        {errc::rate_limit_exceeded, 429, "rate_limit_error", "rate_limit_exceeded"},
        {errc::provider_error, 502, "server_error", "provider_error"},
        {errc::upstream_timeout, 502, "server_error", "provider_error"},
        {errc::circuit_breaker_open, 503, "server_error", "circuit_breaker_open"},
        {errc::not_supported, 501, "invalid_request_error", "not_supported"},
        {errc::not_found, 404, "invalid_request_error", "not_found"},
        {errc::method_not_allowed, 405, "invalid_request_error", "method_not_allowed"},
        {errc::internal_error, 500, "server_error", "internal_error"},
        {errc::request_timeout, 408, "invalid_request_error", "request_timeout"},
        {errc::header_too_large, 431, "invalid_request_error", "header_too_large"},
    };
    for (const auto& r : rows) {
        const auto e = api_error::make(r.code, "m");
        EXPECT_EQ(e.status, r.status) << r.name;
        EXPECT_EQ(e.type, r.type) << r.name;
        EXPECT_EQ(e.code, r.name) << r.name;
        EXPECT_EQ(http_status(r.code), r.status) << r.name;
    }
}

TEST(ErrorMapping, BodyHasTheContractShape) {
    auto e = api_error::make(errc::validation_error, "messages is required", "messages");
    const auto j = nlohmann::json::parse(e.body("req-1"));
    ASSERT_TRUE(j.contains("error"));
    const auto& err = j["error"];
    EXPECT_EQ(err["type"], "invalid_request_error");
    EXPECT_EQ(err["code"], "validation_error");
    EXPECT_EQ(err["message"], "messages is required");
    EXPECT_EQ(err["param"], "messages");
    EXPECT_EQ(err["request_id"], "req-1");
    EXPECT_FALSE(err.contains("details"));
}

TEST(ErrorMapping, NullParamAndDetails) {
    auto e = api_error::make(errc::rate_limit_exceeded, "Rate limit exceeded: 5 requests per minute");
    e.details = {{"limit", 5}, {"retry_after_secs", 12}, {"window", "minute"}};
    const auto j = e.to_json("r");
    EXPECT_TRUE(j["error"]["param"].is_null());
    EXPECT_EQ(j["error"]["details"]["limit"], 5);
}

TEST(ErrorMapping, ErrorCodeCategoryRoundTrip) {
    boost::system::error_code ec = errc::provider_error;
    EXPECT_EQ(ec.category().name(), std::string("hadrian"));
    EXPECT_EQ(ec.message(), "provider_error");
    EXPECT_TRUE(ec == errc::provider_error);
}

}  // namespace
}  // namespace hadrian::core
