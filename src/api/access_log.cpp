#include "access_log.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include "hadrian/core/log.hpp"
#include "metrics.hpp"

namespace hadrian::api {

awaitable<void> access_log_middleware::handle(request_context& ctx, chain next) {
    metrics_.started();
    co_await next(ctx);
    metrics_.finished();
    static const auto log = core::logger("access");
    const auto total = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - ctx.started);
    const auto overhead =
        std::max(total - std::chrono::duration_cast<std::chrono::microseconds>(ctx.waited),
                 std::chrono::microseconds(0));
    metrics_.record(ctx, total, overhead);
    if (!log->should_log(spdlog::level::info)) {
        co_return;
    }
    const auto latency_us = total.count();
    const double overhead_ms = static_cast<double>(overhead.count()) / 1000.0;
    const std::string_view method = ctx.req.method_string();
    const std::string_view target = ctx.req.target();
    const std::string_view path = target.substr(0, target.find('?'));
    // Formats compiled ahead and the line handed over as text: no format string parsed per
    // request.
    fmt::memory_buffer line;
    if (core::json_logs()) {
        fmt::format_to(
            std::back_inserter(line),
            FMT_COMPILE(R"("request_id":"{}","method":"{}","path":"{}","status":{},)"
                        R"("latency_ms":{:.3f},"overhead_ms":{:.3f},"model":"{}","provider":"{}",)"
                        R"("input_tokens":{},"output_tokens":{},"streamed":{},"error":"{}",)"
                        R"("client_ip":"{}")"),
            core::json_escape(ctx.request_id), core::json_escape(method), core::json_escape(path),
            ctx.status, static_cast<double>(latency_us) / 1000.0, overhead_ms,
            core::json_escape(ctx.model), core::json_escape(ctx.provider), ctx.usage.input,
            ctx.usage.output, ctx.streamed, core::json_escape(ctx.error_code),
            core::json_escape(ctx.client_ip));
    } else {
        const auto or_dash = [](std::string_view v) { return v.empty() ? "-" : v; };
        fmt::format_to(std::back_inserter(line),
                       FMT_COMPILE("request_id={} method={} path={} status={} latency_ms={:.3f} "
                                   "overhead_ms={:.3f} model={} provider={} input_tokens={} "
                                   "output_tokens={} streamed={} error={} client_ip={}"),
                       ctx.request_id, method, path, ctx.status,
                       static_cast<double>(latency_us) / 1000.0, overhead_ms, or_dash(ctx.model),
                       or_dash(ctx.provider), ctx.usage.input, ctx.usage.output, ctx.streamed,
                       or_dash(ctx.error_code), ctx.client_ip);
    }
    log->info(std::string_view(line.data(), line.size()));
}

}  // namespace hadrian::api
