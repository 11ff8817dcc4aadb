#include "request_id.hpp"

#include "hadrian/core/uuid.hpp"

namespace hadrian::api {

bool acceptable_request_id(std::string_view id) noexcept {
    if (id.empty() || id.size() > 128) {
        return false;
    }
    for (const char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':';
        if (!ok) {
            return false;
        }
    }
    return true;
}

verdict request_id_middleware::before(request_context& ctx) {
    if (const std::string_view given = ctx.req["X-Request-Id"]; acceptable_request_id(given)) {
        ctx.request_id = std::string(given);
    } else {
        ctx.request_id = core::new_uuid();
    }
    return verdict::passed();
}

}  // namespace hadrian::api
