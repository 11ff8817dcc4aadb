#include "rate_limit.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

#include "auth.hpp"
#include "hadrian/core/json_scan.hpp"
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
    // Scanned, not parsed: the body may be megabytes of images. The first field of this list
    // that holds a positive integer bounds the output.
    constexpr std::string_view fields[] = {"max_completion_tokens", "max_tokens",
                                           "max_output_tokens"};
    std::int64_t found[3] = {0, 0, 0};
    core::json_members(body, [&](const core::json_member& m) {
        for (std::size_t i = 0; i < 3; ++i) {
            if (m.key == fields[i] && found[i] == 0) {
                std::int64_t v = 0;
                const char* end = m.value.data() + m.value.size();
                auto [ptr, ec] = std::from_chars(m.value.data(), end, v);
                if (ec == std::errc() && ptr == end && v > 0) {
                    found[i] = v;
                }
            }
        }
        return true;
    });
    const std::int64_t bound = found[0] != 0 ? found[0] : found[1] != 0 ? found[1] : found[2];
    if (bound == 0) {
        return fallback;
    }
    // Output bound plus about four bytes of input per token.
    return bound + static_cast<std::int64_t>(body.size() / 4);
}

awaitable<void> rate_limit_middleware::handle(request_context& ctx, chain next) {
    // The checks run in a coroutine of their own, so that this frame, alive for the rest of
    // the request (maybe a minutes-long stream), holds only what the end of it needs.
    admission a = co_await admit(ctx);
    if (!a.proceed) {
        co_return;
    }
    co_await next(ctx);
    if (a.adjust_tokens) {
        // Correct the reservation to what was used (nothing, when the call failed).
        limiter_.adjust_tokens(a.subject, a.checked, ctx.usage.input + ctx.usage.output);
    }
}

awaitable<rate_limit_middleware::admission> rate_limit_middleware::admit(request_context& ctx) {
    admission out;
    const path_kind kind = classify_path(ctx.req.target());
    if (kind != path_kind::chat && kind != path_kind::embeddings) {
        out.proceed = true;
        co_return out;
    }
    config::rate_limits_config limits;
    if (ctx.key) {
        out.subject = "key:" + ctx.key->id;
        limits = effective_limits(cfg_.limits.rate_limits, *ctx.key);
    } else if (cfg_.limits.rate_limits.ip_requests_per_minute) {
        out.subject = "ip:" + ctx.client_ip;
        limits.requests_per_minute = cfg_.limits.rate_limits.ip_requests_per_minute;
    } else {
        out.proceed = true;
        co_return out;
    }

    const auto specs = limits::limit_specs(limits);
    const bool counts_tokens = limits.tokens_per_minute || limits.tokens_per_day;
    const std::int64_t estimate =
        counts_tokens ? estimate_tokens(ctx.req.body(), limits.estimated_tokens_per_request) : 0;
    if (!specs.empty()) {
        out.checked = limiter_.check_all(out.subject, specs, limits::hit_amounts{1, estimate});
        if (!out.checked.allowed) {
            co_await send_error(ctx, limits::rate_limit_error(out.checked));
            co_return out;
        }
        auto headers = limits::rate_limit_headers(out.checked);
        if (ctx.response_headers.empty()) {
            ctx.response_headers = std::move(headers);
        } else {
            for (auto& h : headers) {
                ctx.response_headers.push_back(std::move(h));
            }
        }
    }
    if (limits.concurrent_requests) {
        out.permit = concurrency_.acquire(out.subject, *limits.concurrent_requests);
        if (!out.permit) {
            if (!specs.empty()) {
                limiter_.adjust_tokens(out.subject, out.checked, 0);
            }
            co_await send_error(ctx, limits::concurrency_limit_error(*limits.concurrent_requests));
            co_return out;
        }
    }
    out.adjust_tokens = counts_tokens && !specs.empty();
    out.proceed = true;
    co_return out;
}

}  // namespace hadrian::api
