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
