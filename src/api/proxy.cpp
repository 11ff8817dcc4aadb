#include "proxy.hpp"

#include "hadrian/auth/model_pattern.hpp"
#include "hadrian/limits/cost.hpp"
#include "request_body.hpp"
#include "respond.hpp"
#include "usage.hpp"

namespace hadrian::api {

awaitable<void> proxy_handler::handle(request_context& ctx, providers::operation op) const {
    auto prepared = prepare_request(op, ctx.req.body());
    if (!prepared) {
        co_await send_error(ctx, prepared.error());
        co_return;
    }
    auto candidates = router_.candidates(prepared->model, prepared->models);
    if (!candidates) {
        co_await send_error(ctx, candidates.error());
        co_return;
    }
    if (ctx.key && !ctx.key->allowed_models.empty()) {
        // A key's own model list: `provider/model` as routed, or the name as the client sent it.
        std::erase_if(*candidates, [&](const routing::route& r) {
            return !auth::model_allowed(ctx.key->allowed_models, r.provider + "/" + r.model) &&
                   !auth::model_allowed(ctx.key->allowed_models, r.requested);
        });
        if (candidates->empty()) {
            co_await send_error(ctx, core::api_error::make(core::errc::model_not_allowed,
                                                           "This API key may not use the "
                                                           "requested model",
                                                           "model"));
            co_return;
        }
    }
    // Runtime fallback across candidates comes with the resilience work; the first routable
    // candidate serves.
    const routing::route& route = candidates->front();
    const config::model_pricing* pricing = limits::find_pricing(cfg_, route.provider, route.model);
    providers::provider* provider = providers_.find(route.provider);
    if (provider == nullptr) {
        co_await send_error(ctx,
                            core::api_error::make(core::errc::routing_error,
                                                  "Provider '" + route.provider + "' not found"));
        co_return;
    }
    ctx.provider = route.provider;
    ctx.model = route.model;
    ctx.streamed = prepared->stream;

    providers::call call;
    call.op = op;
    call.model = route.model;
    call.body = std::move(prepared->body);
    call.body["model"] = route.model;
    call.stream = prepared->stream;
    call.request_id = ctx.request_id;
    call.abort = &ctx.abort;
    if (call.stream && op == providers::operation::chat_completions) {
        // Always learn the token counts; the usage chunk is forwarded only when asked for.
        call.body["stream_options"]["include_usage"] = true;
    }

    auto answer = co_await provider->send(std::move(call));
    if (!answer) {
        co_await send_error(ctx, answer.error());
        co_return;
    }
    header_list headers;
    headers.emplace_back("X-Provider", route.provider);
    headers.emplace_back("X-Model", route.model);
    if (answer->events) {
        ctx.status = answer->status;
        auto ec = co_await ctx.sink.start_stream(answer->status, std::move(headers));
        if (ec) {
            ctx.abort.abort();
            co_return;
        }
        co_await relay_stream(ctx, op, *answer->events, prepared->client_wants_usage, pricing);
        co_return;
    }
    if (auto u = answer->body.find("usage"); u != answer->body.end()) {
        ctx.usage = read_usage(op, *u);
    }
    add_usage_headers(headers, ctx.usage);
    price_usage(ctx, pricing);
    std::string raw = std::move(answer->raw);
    if (ctx.cost_known) {
        headers.emplace_back("X-Cost-Microcents", std::to_string(ctx.cost_microcents));
        if (auto u = answer->body.find("usage"); u != answer->body.end() && u->is_object()) {
            (*u)["cost"] = static_cast<double>(ctx.cost_microcents) / 1e6;
            raw.clear();  // re-serialize with the cost
        }
    }
    if (auto fr = read_finish_reason(op, answer->body); !fr.empty()) {
        headers.emplace_back("X-Finish-Reason", std::move(fr));
    }
    ctx.status = answer->status;
    if (raw.empty()) {
        raw = answer->body.dump();
    }
    co_await ctx.sink.send(answer->status, std::move(headers), std::move(raw));
}

void price_usage(request_context& ctx, const config::model_pricing* pricing) {
    if (pricing == nullptr || !ctx.usage.known) {
        return;
    }
    const limits::token_usage u{ctx.usage.input, ctx.usage.output, ctx.usage.cached, 0,
                                ctx.usage.reasoning};
    ctx.cost_microcents = limits::cost_microcents(*pricing, u);
    ctx.cost_known = true;
}

}  // namespace hadrian::api
