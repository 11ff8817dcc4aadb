// The single place where an error becomes an HTTP status, an OpenAI error type and a body.
#include "hadrian/core/error.hpp"

#include <array>

namespace hadrian::core {
namespace {

struct row {
    std::string_view name;
    int status;
    std::string_view type;
};

constexpr std::string_view invalid_request = "invalid_request_error";
constexpr std::string_view server_error = "server_error";

row lookup(errc e) noexcept {
    switch (e) {
        case errc::ok:
            return {"ok", 200, ""};
        case errc::invalid_json:
            return {"invalid_json", 400, invalid_request};
        case errc::validation_error:
            return {"validation_error", 400, invalid_request};
        case errc::payload_too_large:
            return {"payload_too_large", 413, invalid_request};
        case errc::routing_error:
            return {"routing_error", 400, invalid_request};
        case errc::missing_credentials:
            return {"missing_credentials", 401, "authentication_error"};
        case errc::invalid_api_key:
            return {"invalid_api_key", 401, "authentication_error"};
        case errc::insufficient_scope:
            return {"insufficient_scope", 403, "permission_error"};
        case errc::model_not_allowed:
            return {"model_not_allowed", 403, "permission_error"};
        case errc::ip_not_allowed:
            return {"ip_not_allowed", 403, "permission_error"};
        case errc::budget_exceeded:
            return {"budget_exceeded", 402, invalid_request};
        case errc::rate_limit_exceeded:
            return {"rate_limit_exceeded", 429, "rate_limit_error"};
        case errc::provider_error:
            return {"provider_error", 502, server_error};
        case errc::circuit_breaker_open:
            return {"circuit_breaker_open", 503, server_error};
        case errc::not_supported:
            return {"not_supported", 501, invalid_request};
        case errc::not_found:
            return {"not_found", 404, invalid_request};
        case errc::method_not_allowed:
            return {"method_not_allowed", 405, invalid_request};
        case errc::internal_error:
            return {"internal_error", 500, server_error};
        case errc::request_timeout:
            return {"request_timeout", 408, invalid_request};
        case errc::header_too_large:
            return {"header_too_large", 431, invalid_request};
        case errc::service_unavailable:
            return {"service_unavailable", 503, server_error};
        case errc::upstream_timeout:
            return {"provider_error", 502, server_error};
        case errc::client_disconnected:
            return {"client_disconnected", 499, invalid_request};
    }
    return {"internal_error", 500, server_error};
}

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "hadrian"; }
    std::string message(int ev) const override {
        return std::string(lookup(static_cast<errc>(ev)).name);
    }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
    static const category instance;
    return instance;
}

boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

std::string_view code_name(errc e) noexcept { return lookup(e).name; }
int http_status(errc e) noexcept { return lookup(e).status; }
std::string_view error_type(errc e) noexcept { return lookup(e).type; }

api_error api_error::make(errc kind, std::string message, std::optional<std::string> param) {
    const row r = lookup(kind);
    return api_error{kind,
                     r.status,
                     std::string(r.type),
                     std::string(r.name),
                     std::move(message),
                     std::move(param),
                     nullptr,
                     {}};
}

nlohmann::json api_error::to_json(std::string_view request_id) const {
    nlohmann::json err = {
        {"type", type},
        {"code", code},
        {"message", message},
        {"param", param ? nlohmann::json(*param) : nlohmann::json(nullptr)},
        {"request_id", request_id},
    };
    if (!details.is_null()) {
        err["details"] = details;
    }
    return nlohmann::json{{"error", std::move(err)}};
}

std::string api_error::body(std::string_view request_id) const {
    return to_json(request_id).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace hadrian::core
