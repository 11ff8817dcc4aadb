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

awaitable<void> request_id_middleware::handle(request_context& ctx, chain next) {
    // Not a coroutine: nothing follows the next step, whose awaitable is handed back.
    if (const std::string_view given = ctx.req["X-Request-Id"]; acceptable_request_id(given)) {
        ctx.request_id = std::string(given);
    } else {
        ctx.request_id = core::new_uuid();
    }
    return next(ctx);
}

}  // namespace hadrian::api
