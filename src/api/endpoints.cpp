#include "endpoints.hpp"

#include <nlohmann/json.hpp>

#include "respond.hpp"

namespace hadrian::api {

namespace {

struct api_route {
    std::string_view path;
    http::verb method;
    int op;  // a providers::operation, or -1 for the models listing
};

awaitable<void> method_not_allowed(request_context& ctx, http::verb allowed) {
    auto err = core::api_error::make(
        core::errc::method_not_allowed,
        "Method " + std::string(ctx.req.method_string()) + " is not allowed on this path");
    err.headers.emplace_back("Allow", std::string(http::to_string(allowed)));
    co_await send_error(ctx, err);
}

}  // namespace

std::string_view api_path(std::string_view target) noexcept {
    target = target.substr(0, target.find('?'));
    for (std::string_view prefix : {std::string_view("/api/v1/"), std::string_view("/v1/")}) {
        if (target.substr(0, prefix.size()) == prefix) {
            return target.substr(prefix.size() - 1);
        }
    }
    return {};
}

std::optional<providers::operation> model_operation(http::verb method,
                                                    std::string_view target) noexcept {
    if (method != http::verb::post) {
        return std::nullopt;
    }
    const std::string_view api = api_path(target);
    if (api == "/chat/completions") {
        return providers::operation::chat_completions;
    }
    if (api == "/responses") {
        return providers::operation::responses;
    }
    if (api == "/embeddings") {
        return providers::operation::embeddings;
    }
    return std::nullopt;
}

awaitable<void> endpoints::handle(request_context& ctx) {
    // Not a coroutine for model calls: the proxy's awaitable is handed back, so no frame of
    // this function stays alive under a long stream.
    const std::string_view target = ctx.req.target();
    const std::string_view path = target.substr(0, target.find('?'));
    const bool metrics_path =
        cfg_.observability.metrics.enabled && path == cfg_.observability.metrics.path;
    if (!metrics_path) {
        if (const auto op = model_operation(ctx.req.method(), target)) {
            return proxy_.handle(ctx, *op);
        }
    }
    return route(ctx);
}

awaitable<void> endpoints::route(request_context& ctx) {
    const std::string_view target = ctx.req.target();
    const std::string_view path = target.substr(0, target.find('?'));
    const http::verb method = ctx.req.method();

    if (path == "/health" || path == "/health/live" || path == "/health/ready") {
        if (method != http::verb::get && method != http::verb::head) {
            co_await method_not_allowed(ctx, http::verb::get);
            co_return;
        }
        co_await health(ctx, path);
        co_return;
    }

    if (cfg_.observability.metrics.enabled && path == cfg_.observability.metrics.path) {
        if (method != http::verb::get && method != http::verb::head) {
            co_await method_not_allowed(ctx, http::verb::get);
            co_return;
        }
        ctx.status = 200;
        header_list headers;
        std::string text = metrics_.render(providers_);
        co_await ctx.sink.send(200, std::move(headers), std::move(text),
                               "text/plain; version=0.0.4; charset=utf-8");
        co_return;
    }

    if (path == "/admin/v1" || path.substr(0, 10) == "/admin/v1/") {
        co_await admin_.handle(ctx);
        co_return;
    }

    const std::string_view api = api_path(target);
    if (api.substr(0, 11) == "/responses/") {
        co_await responses_.handle(ctx, api.substr(11));
        co_return;
    }
    static const api_route table[] = {
        {"/chat/completions", http::verb::post,
         static_cast<int>(providers::operation::chat_completions)},
        {"/responses", http::verb::post, static_cast<int>(providers::operation::responses)},
        {"/embeddings", http::verb::post, static_cast<int>(providers::operation::embeddings)},
        {"/models", http::verb::get, -1},
    };
    for (const auto& row : table) {
        if (api != row.path) {
            continue;
        }
        if (method != row.method) {
            co_await method_not_allowed(ctx, row.method);
            co_return;
        }
        if (row.op < 0) {
            co_await models(ctx);
        } else {
            co_await proxy_.handle(ctx, static_cast<providers::operation>(row.op));
        }
        co_return;
    }
    co_await send_error(
        ctx, core::api_error::make(
                 core::errc::not_found,
                 "No route for " + std::string(ctx.req.method_string()) + " " + std::string(path)));
}

awaitable<void> endpoints::health(request_context& ctx, std::string_view which) const {
    const bool draining = state_.draining.load(std::memory_order_relaxed);
    // Bodies are built before the co_await: GCC 12 miscompiles braced initializers inside a
    // co_await expression.
    if (which == "/health/live") {
        const nlohmann::json body = {{"status", "ok"}};
        co_await send_json(ctx, body);
        co_return;
    }
    if (which == "/health/ready") {
        const nlohmann::json database = co_await database_health();
        const bool ready = !draining && database["status"] != "down";
        const nlohmann::json body = {
            {"status", draining ? "draining" : (ready ? "ready" : "unavailable")}};
        co_await send_json(ctx, body, ready ? 200 : 503);
        co_return;
    }
    nlohmann::json providers = nlohmann::json::array();
    for (const auto& [name, _] : providers_.all()) {
        providers.push_back(name);
    }
    const nlohmann::json body = {
        {"status", draining ? "draining" : "ok"},
        {"version", HADRIAN_VERSION},
        {"providers", std::move(providers)},
        {"subsystems",
         {{"database", {{"status", "disabled"}}}, {"cache", {{"status", "disabled"}}}}}};
    co_await send_json(ctx, body);
}

awaitable<nlohmann::json> endpoints::database_health() const {
    if (db_ == nullptr) {
        nlohmann::json disabled = {{"status", "disabled"}};
        co_return disabled;
    }
    const auto start = std::chrono::steady_clock::now();
    auto ping = [](storage::store& s) { return s.ping(); };
    auto ok = co_await db_->run(std::move(ping));
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    nlohmann::json out = {{"status", ok ? "up" : "down"}, {"latency_ms", ms}};
    co_return out;
}

awaitable<void> endpoints::models(request_context& ctx) const {
    nlohmann::json data = nlohmann::json::array();
    for (const auto& p : providers_.config().entries) {
        for (const auto& m : providers_.models_of(p.name)) {
            data.push_back({{"id", p.name + "/" + m},
                            {"object", "model"},
                            {"created", 0},
                            {"owned_by", p.name}});
        }
    }
    const nlohmann::json body = {{"object", "list"}, {"data", std::move(data)}};
    co_await send_json(ctx, body);
}

}  // namespace hadrian::api
