#include "respond.hpp"

namespace hadrian::api {

awaitable<void> send_error(request_context& ctx, const core::api_error& err) {
    ctx.status = err.status;
    ctx.error_code = err.code;
    if (ctx.sink.started()) {
        co_return;
    }
    co_await ctx.sink.send(err.status, err.headers, err.body(ctx.request_id));
}

awaitable<void> send_json(request_context& ctx, const nlohmann::json& body, int status) {
    ctx.status = status;
    co_await ctx.sink.send(status, {}, body.dump());
}

}  // namespace hadrian::api
