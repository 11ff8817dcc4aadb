#include "usage_recorder.hpp"

#include "auth.hpp"

namespace hadrian::api {

verdict usage_recorder_middleware::before(request_context&) { return verdict::passed(); }

void usage_recorder_middleware::after(request_context& ctx) {
    const path_kind kind = classify_path(ctx.req.target());
    if ((kind != path_kind::chat && kind != path_kind::embeddings) ||
        ctx.req.method() != http::verb::post) {
        return;
    }
    storage::usage_record r;
    r.request_id = ctx.request_id;
    if (ctx.key) {
        r.api_key_id = ctx.key->id;
    }
    r.model = ctx.model;
    r.provider = ctx.provider;
    r.input_tokens = ctx.usage.input;
    r.output_tokens = ctx.usage.output;
    r.cached_tokens = ctx.usage.cached;
    r.reasoning_tokens = ctx.usage.reasoning;
    r.cost_microcents = ctx.cost_microcents;
    r.latency_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - ctx.started)
            .count();
    r.status = ctx.status;
    r.error_code = ctx.error_code;
    r.streamed = ctx.streamed;
    r.cancelled = ctx.abort.aborted() || ctx.error_code == "client_disconnected";
    r.created_at = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    writer_.record(std::move(r));
}

}  // namespace hadrian::api
