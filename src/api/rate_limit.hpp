// Rate-limit middleware: requests and tokens per minute and day, and concurrent requests, per
// key (or per client address for unauthenticated traffic).
#pragma once

#include <optional>
#include <string>

#include "hadrian/api/middleware.hpp"
#include "hadrian/config/config.hpp"
#include "hadrian/limits/concurrency_limiter.hpp"
#include "hadrian/limits/rate_limiter.hpp"

namespace hadrian::api {

/// Thread safety: the limiters are thread safe; the rest is immutable.
class rate_limit_middleware final : public middleware {
public:
    rate_limit_middleware(const config::config& cfg, limits::rate_limiter& limiter,
                          limits::concurrency_limiter& concurrency)
        : cfg_(cfg), limiter_(limiter), concurrency_(concurrency) {}

    /// Counts the request against its limits; what it holds until the answer goes to
    /// `ctx.rate`.
    verdict before(request_context& ctx) override;
    /// Corrects the token reservation to the tokens used and gives the concurrency slot back.
    void after(request_context& ctx) override;

private:
    /// The limits the request in `ctx` is held to (its key's, else its address's), or
    /// nullopt when none applies.
    std::optional<config::rate_limits_config> limits_of(const request_context& ctx) const;
    /// The checks, which never wait.
    verdict admit(request_context& ctx, const config::rate_limits_config& limits);

    const config::config& cfg_;
    limits::rate_limiter& limiter_;
    limits::concurrency_limiter& concurrency_;
};

/// Tokens to reserve before the call: the request's output bound (max_completion_tokens,
/// max_tokens or max_output_tokens; 0 when it has none) plus a rough input size, else
/// `fallback`.
std::int64_t estimate_tokens(std::int64_t output_bound, std::size_t body_size,
                             std::int64_t fallback);

}  // namespace hadrian::api
