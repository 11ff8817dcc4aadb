#include "rate_limit.hpp"

#include <nlohmann/json.hpp>

#include "auth.hpp"
#include "hadrian/limits/headers.hpp"
#include "respond.hpp"

namespace hadrian::api {

namespace {

/// The key's own limits over the configured defaults.
config::rate_limits_config effective_limits(const config::rate_limits_config& defaults,
                                            const storage::api_key_record& key) {
    config::rate_limits_config out = defaults;
    if (key.rate_limit_rpm) {
        out.requests_per_minute = *key.rate_limit_rpm;
    }
    if (key.rate_limit_rpd) {
        out.requests_per_day = *key.rate_limit_rpd;
    }
    if (key.rate_limit_tpm) {
        out.tokens_per_minute = *key.rate_limit_tpm;
    }
    if (key.rate_limit_tpd) {
        out.tokens_per_day = *key.rate_limit_tpd;
    }
    if (key.concurrent_requests) {
        out.concurrent_requests = *key.concurrent_requests;
    }
    return out;
}

}  // namespace

std::int64_t estimate_tokens(std::string_view body, std::int64_t fallback) {
    const auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return fallback;
    }
    for (const char* field : {"max_completion_tokens", "max_tokens", "max_output_tokens"}) {
        auto it = j.find(field);
        if (it != j.end() && it->is_number_integer() && it->get<std::int64_t>() > 0) {
            // Output bound plus about four bytes of input per token.
            return it->get<std::int64_t>() + static_cast<std::int64_t>(body.size() / 4);
        }
    }
    return fallback;
}

awaitable<void> rate_limit_middleware::handle(request_context& ctx, chain next) {
    const path_kind kind = classify_path(ctx.req.target());
    if (kind != path_kind::chat && kind != path_kind::embeddings) {
        co_await next(ctx);
        co_return;
    }
    std::string subject;
    config::rate_limits_config limits;
    if (ctx.key) {
        subject = "key:" + ctx.key->id;
        limits = effective_limits(cfg_.limits.rate_limits, *ctx.key);
    } else if (cfg_.limits.rate_limits.ip_requests_per_minute) {
        subject = "ip:" + ctx.client_ip;
        limits.requests_per_minute = cfg_.limits.rate_limits.ip_requests_per_minute;
    } else {
        co_await next(ctx);
        co_return;
    }

    const auto specs = limits::limit_specs(limits);
    const bool counts_tokens = limits.tokens_per_minute || limits.tokens_per_day;
    const std::int64_t estimate =
        counts_tokens ? estimate_tokens(ctx.req.body(), limits.estimated_tokens_per_request) : 0;
    limits::check_result checked;
    if (!specs.empty()) {
        checked = limiter_.check_all(subject, specs, limits::hit_amounts{1, estimate});
        if (!checked.allowed) {
            co_await send_error(ctx, limits::rate_limit_error(checked));
            co_return;
        }
        for (auto& h : limits::rate_limit_headers(checked)) {
            ctx.response_headers.push_back(std::move(h));
        }
    }
    std::optional<limits::concurrency_permit> permit;
    if (limits.concurrent_requests) {
        permit = concurrency_.acquire(subject, *limits.concurrent_requests);
        if (!permit) {
            if (!specs.empty()) {
                limiter_.adjust_tokens(subject, checked, 0);
            }
            co_await send_error(ctx, limits::concurrency_limit_error(*limits.concurrent_requests));
            co_return;
        }
    }

    co_await next(ctx);

    if (counts_tokens && !specs.empty()) {
        // Correct the reservation to what was used (nothing, when the call failed).
        limiter_.adjust_tokens(subject, checked, ctx.usage.input + ctx.usage.output);
    }
}

}  // namespace hadrian::api
