#include "rate_limit.hpp"

#include "auth.hpp"
#include "endpoints.hpp"
#include "hadrian/limits/headers.hpp"
#include "request_body.hpp"
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

std::int64_t estimate_tokens(std::int64_t output_bound, std::size_t body_size,
                             std::int64_t fallback) {
    if (output_bound <= 0) {
        return fallback;
    }
    // Output bound plus about four bytes of input per token.
    return output_bound + static_cast<std::int64_t>(body_size / 4);
}

namespace {

/// The tokens to reserve for the request in `ctx`. Its body is prepared here, once for the
/// handler too (prepared_for): the output bound is read where the handler's walk reads the
/// rest. A body that fails preparation reserves the fallback; the handler answers its error.
std::int64_t request_estimate(request_context& ctx, std::int64_t fallback) {
    const auto op = model_operation(ctx.req.method(), ctx.req.target());
    if (!op) {
        return fallback;
    }
    const auto& prepared = prepared_for(ctx, *op);
    return estimate_tokens(prepared ? prepared->output_bound : 0, ctx.req.body().size(), fallback);
}

}  // namespace

verdict rate_limit_middleware::before(request_context& ctx) {
    auto limits = limits_of(ctx);
    if (!limits) {
        return verdict::passed();
    }
    return admit(ctx, *limits);
}

void rate_limit_middleware::after(request_context& ctx) {
    if (!ctx.rate) {
        return;
    }
    const rate_hold& held = *ctx.rate;
    if (!held.tokens.empty()) {
        // Correct the reservation to what was used (nothing, when the call failed).
        limiter_.adjust_tokens(held.subject, held.tokens, ctx.usage.input + ctx.usage.output);
    }
    ctx.rate.reset();  // gives the concurrency slot back
}

std::optional<config::rate_limits_config> rate_limit_middleware::limits_of(
    const request_context& ctx) const {
    const path_kind kind = classify_path(ctx.req.target());
    if (kind != path_kind::chat && kind != path_kind::embeddings) {
        return std::nullopt;
    }
    config::rate_limits_config limits;
    if (ctx.key) {
        limits = effective_limits(cfg_.limits.rate_limits, *ctx.key);
    } else if (cfg_.limits.rate_limits.ip_requests_per_minute) {
        limits.requests_per_minute = cfg_.limits.rate_limits.ip_requests_per_minute;
    } else {
        return std::nullopt;
    }
    if (!limits.requests_per_minute && !limits.requests_per_day && !limits.tokens_per_minute &&
        !limits.tokens_per_day && !limits.concurrent_requests) {
        return std::nullopt;
    }
    return limits;
}

verdict rate_limit_middleware::admit(request_context& ctx,
                                     const config::rate_limits_config& limits) {
    std::string subject = ctx.key ? "key:" + ctx.key->id : "ip:" + ctx.client_ip;
    const auto specs = limits::limit_specs(limits);
    const bool counts_tokens = limits.tokens_per_minute || limits.tokens_per_day;
    const std::int64_t estimate =
        counts_tokens ? request_estimate(ctx, limits.estimated_tokens_per_request) : 0;
    limits::check_result checked;
    if (!specs.empty()) {
        checked = limiter_.check_all(subject, specs, limits::hit_amounts{1, estimate});
        if (!checked.allowed) {
            return verdict::refused(limits::rate_limit_error(checked));
        }
        limits::visit_rate_limit_headers(checked,
                                         [&ctx](std::string_view name, std::int64_t value) {
                                             ctx.response_numbers.add(name, value);
                                         });
    }
    std::optional<limits::concurrency_permit> permit;
    if (limits.concurrent_requests) {
        permit = concurrency_.acquire(subject, *limits.concurrent_requests);
        if (!permit) {
            if (!specs.empty()) {
                limiter_.adjust_tokens(subject, limits::reserved_tokens(checked), 0);
            }
            return verdict::refused(limits::concurrency_limit_error(*limits.concurrent_requests));
        }
    }
    limits::token_reservation tokens = limits::reserved_tokens(checked);
    if (!tokens.empty() || permit) {
        ctx.rate.emplace(rate_hold{std::move(subject), std::move(tokens), std::move(permit)});
    }
    return verdict::passed();
}

}  // namespace hadrian::api
