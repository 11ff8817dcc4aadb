/// Response headers and errors built from rate-limit decisions and budget states (API.md §4,
/// §5). Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hadrian/core/error.hpp"
#include "hadrian/core/function_ref.hpp"
#include "hadrian/limits/budget.hpp"
#include "hadrian/limits/rate_limiter.hpp"

namespace hadrian::limits {

using header_list = std::vector<std::pair<std::string, std::string>>;

/// `X-RateLimit-Limit`, `-Remaining`, `-Reset` (seconds left in the window) from `requests`
/// and `X-TokenRateLimit-Limit`, `-Remaining`, `-Used` from `tokens`, one at a time; a null
/// one gives none. The names are static text.
void visit_rate_limit_headers(const decision* requests, const decision* tokens,
                              core::function_ref<void(std::string_view, std::int64_t)> visit);

/// The headers of the tightest request and token decisions of `r`, one at a time.
void visit_rate_limit_headers(const check_result& r,
                              core::function_ref<void(std::string_view, std::int64_t)> visit);

/// visit_rate_limit_headers as a list.
header_list rate_limit_headers(const decision* requests, const decision* tokens);
header_list rate_limit_headers(const check_result& r);

/// 429 rate_limit_exceeded: `Rate limit exceeded: 100 requests per minute`, details
/// `{limit, retry_after_secs, window}`, header `Retry-After`.
[[gnu::cold]] core::api_error rate_limit_error(const decision& denied);

/// The 429 of a denied `r` (its first denial) carrying `Retry-After` and the rate-limit
/// headers of `r`. Precondition: `!r.allowed`.
[[gnu::cold]] core::api_error rate_limit_error(const check_result& r);

/// 429 rate_limit_exceeded for too many requests in flight: `Rate limit exceeded: 5
/// concurrent requests`, details `{limit, retry_after_secs: 1, window: "concurrent"}`,
/// `Retry-After: 1`.
[[gnu::cold]] core::api_error concurrency_limit_error(std::int64_t limit);

/// 402 budget_exceeded: `Budget limit exceeded for monthly period` (or daily), param null.
[[gnu::cold]] core::api_error budget_error(const budget_denial& denial);

/// When `s.spent ≥ warning_threshold · limit` (and the limit is positive): `X-Budget-Warning`
/// (e.g. `85.0% of monthly budget used`), `X-Budget-Spend-Percentage` (`85.0`),
/// `X-Budget-Current-Spend-Cents` (spend rounded to the nearest cent), `X-Budget-Limit-Cents`,
/// `X-Budget-Period`; otherwise none.
header_list budget_warning_headers(const budget_status& s, double warning_threshold);

}  // namespace hadrian::limits
