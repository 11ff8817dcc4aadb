#include "error_boundary.hpp"

#include "hadrian/core/exception_text.hpp"
#include "hadrian/core/log.hpp"
#include "respond.hpp"

namespace hadrian::api {

awaitable<void> error_boundary_middleware::handle(request_context& ctx, chain next) {
    std::string what;
    try {
        co_await next(ctx);
        co_return;
    } catch (...) {
        what = core::current_exception_text();
    }
    static const auto log = core::logger("api");
    log->error("request_id={} internal error: {}", ctx.request_id, what);
    ctx.abort.abort();
    co_await send_error(ctx,
                        core::api_error::make(core::errc::internal_error, "Internal server error"));
}

}  // namespace hadrian::api
