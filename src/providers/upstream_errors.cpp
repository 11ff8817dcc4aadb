#include "upstream_errors.hpp"

#include <boost/asio/error.hpp>
#include <nlohmann/json.hpp>

namespace hadrian::providers {

namespace {

std::string_view default_code(int status) {
    switch (status) {
        case 400:
            return "bad_request";
        case 401:
            return "invalid_api_key";
        case 403:
            return "permission_denied";
        case 404:
            return "not_found";
        case 408:
            return "request_timeout";
        case 413:
            return "payload_too_large";
        case 422:
            return "unprocessable_entity";
        case 429:
            return "rate_limit_exceeded";
        default:
            return status >= 500 ? "provider_error" : "upstream_error";
    }
}

std::string_view default_type(int status) {
    switch (status) {
        case 401:
            return "authentication_error";
        case 403:
            return "permission_error";
        case 429:
            return "rate_limit_error";
        default:
            return status >= 500 ? "server_error" : "invalid_request_error";
    }
}

std::string text_of(const nlohmann::json& j) {
    if (j.is_string()) {
        return j.get<std::string>();
    }
    if (j.is_null()) {
        return {};
    }
    return j.dump();
}

}  // namespace

core::api_error from_http_error(int status, std::string_view body,
                                const core::header_fields& headers) {
    auto err = core::api_error::make(core::errc::provider_error, {});
    err.status = status;
    err.type = std::string(default_type(status));
    err.code = std::string(default_code(status));

    const auto parsed = nlohmann::json::parse(body, nullptr, false);
    const nlohmann::json* e = nullptr;
    if (!parsed.is_discarded() && parsed.is_object()) {
        if (auto it = parsed.find("error"); it != parsed.end() && it->is_object()) {
            e = &*it;
        }
    }
    if (e != nullptr) {
        if (auto it = e->find("message"); it != e->end()) {
            err.message = text_of(*it);
        }
        if (auto it = e->find("type"); it != e->end() && it->is_string()) {
            err.type = it->get<std::string>();
        }
        if (auto it = e->find("code"); it != e->end() && !it->is_null()) {
            err.code = text_of(*it);
        }
        if (auto it = e->find("param"); it != e->end() && it->is_string()) {
            err.param = it->get<std::string>();
        }
    }
    if (err.message.empty()) {
        std::string snippet(body.substr(0, 200));
        err.message = "Upstream provider returned error: HTTP " + std::to_string(status) +
                      (snippet.empty() ? "" : ": " + snippet);
    }
    if (const std::string_view retry = headers[http::field::retry_after]; !retry.empty()) {
        err.headers.emplace_back("Retry-After", std::string(retry));
    }
    return err;
}

core::api_error from_transport(const upstream::failure& f) {
    if (f.ec == asio::error::operation_aborted) {
        return core::api_error::make(core::errc::client_disconnected, "aborted");
    }
    std::string reason = f.message;
    if (reason.empty()) {
        reason = f.ec == core::errc::upstream_timeout ? "request timed out" : f.ec.message();
    }
    return core::api_error::make(core::errc::provider_error,
                                 "Upstream provider returned error: " + reason);
}

awaitable<core::api_error> http_failure(upstream::response& res, http_error_mapper map_error) {
    auto body = co_await res.read_all();
    const std::string text = body ? std::move(*body) : std::string();
    co_return map_error(res.status(), text, res.headers());
}

}  // namespace hadrian::providers
