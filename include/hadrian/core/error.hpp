/// The project's one error vocabulary: `errc` (an error_code category) and `api_error`, the
/// value that becomes an HTTP status and JSON body in exactly one place (error.cpp).
#pragma once

#include <boost/system/error_code.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace hadrian::core {

/// Error codes of the public API (API.md §4) plus transport conditions.
enum class errc {
    ok = 0,
    invalid_json,
    validation_error,
    payload_too_large,
    routing_error,
    missing_credentials,
    invalid_api_key,
    insufficient_scope,
    model_not_allowed,
    ip_not_allowed,
    budget_exceeded,
    rate_limit_exceeded,
    provider_error,
    circuit_breaker_open,
    not_supported,
    not_found,
    method_not_allowed,
    internal_error,
    request_timeout,      // 408: the client did not send its request in time
    header_too_large,     // 431
    service_unavailable,  // 503: draining or not ready
    upstream_timeout,     // reported as provider_error (502)
    client_disconnected,  // the downstream client went away; nothing is sent
};

const boost::system::error_category& error_category() noexcept;
boost::system::error_code make_error_code(errc e) noexcept;

/// Wire name of a code ("invalid_json", …).
std::string_view code_name(errc e) noexcept;
/// HTTP status the code maps to.
int http_status(errc e) noexcept;
/// OpenAI error `type` for the code ("invalid_request_error", …).
std::string_view error_type(errc e) noexcept;

/// An error as the client sees it. `status`, `type` and `code` default from `kind` but an
/// upstream's own HTTP error keeps its status (and, when OpenAI-shaped, its type and code).
struct api_error {
    errc kind = errc::internal_error;
    int status = 500;
    std::string type;
    std::string code;
    std::string message;
    std::optional<std::string> param;
    nlohmann::json details;                                    // null when absent
    std::vector<std::pair<std::string, std::string>> headers;  // extra response headers

    [[gnu::cold]] static api_error make(errc kind, std::string message,
                                        std::optional<std::string> param = std::nullopt);

    /// `{"error":{"type","code","message","param","request_id"[,"details"]}}`
    nlohmann::json to_json(std::string_view request_id) const;
    std::string body(std::string_view request_id) const;
};

}  // namespace hadrian::core

namespace boost::system {
template <>
struct is_error_code_enum<hadrian::core::errc> : std::true_type {};
}  // namespace boost::system
