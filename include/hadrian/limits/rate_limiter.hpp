/// Request and token rate limits (per minute, per day, …) over a counter_store, with the
/// sliding-window-counter algorithm of sliding_window.hpp.
#pragma once

#include <boost/container/static_vector.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hadrian/config/config.hpp"
#include "hadrian/limits/clock.hpp"
#include "hadrian/limits/counter_store.hpp"

namespace hadrian::limits {

inline constexpr std::int64_t minute_ms = 60'000;
inline constexpr std::int64_t day_ms = 86'400'000;

/// What a limit counts.
enum class limit_unit { requests, tokens };

/// One limit: at most `limit` units per sliding window of `window_ms`.
struct limit_spec {
    /// "requests_per_minute", …; part of the counter key, so keep it stable. Static text.
    std::string_view name;
    limit_unit unit = limit_unit::requests;
    std::int64_t limit = 0;
    std::int64_t window_ms = minute_ms;  ///< windows are aligned to the Unix epoch (UTC)

    static limit_spec requests_per_minute(std::int64_t limit);
    static limit_spec requests_per_day(std::int64_t limit);
    static limit_spec tokens_per_minute(std::int64_t limit);
    static limit_spec tokens_per_day(std::int64_t limit);
};

/// The most limits one request is held to: requests and tokens, per minute and per day.
inline constexpr std::size_t max_limits = 4;

/// A list of at most max_limits, kept inline: a request's limits cost no allocation.
template <class T>
using limit_list = boost::container::static_vector<T, max_limits>;

/// The configured limits of `c` in the order rpm, rpd, tpm, tpd; unset ones are left out
/// (concurrency and the per-IP limit are separate).
limit_list<limit_spec> limit_specs(const config::rate_limits_config& c);

/// "second", "minute", "hour" or "day" for those lengths, else e.g. "90s" or "1500ms".
std::string window_name(std::int64_t window_ms);

/// The outcome of one limit for one request.
struct decision {
    limit_spec spec;
    bool allowed = true;
    std::int64_t amount = 0;      ///< units asked for (and counted, when the request passed)
    std::int64_t used = 0;        ///< sliding estimate including this request when counted
    std::int64_t remaining = 0;   ///< `limit − used`, at least 0: what is left after this request
    std::int64_t reset_secs = 0;  ///< seconds until the current fixed window ends (≥ 1)
    std::int64_t retry_after_secs = 0;  ///< when denied: seconds until `amount` fits (≥ 1)
    std::int64_t at_ms = 0;             ///< when it was evaluated: the window `adjust` targets
};

/// Units one request consumes from each kind of limit.
struct hit_amounts {
    std::int64_t requests = 1;
    std::int64_t tokens = 0;  ///< the up-front estimate, corrected later by `adjust_tokens`

    std::int64_t of(limit_unit u) const { return u == limit_unit::requests ? requests : tokens; }
};

/// The outcome of several limits checked together.
struct check_result {
    bool allowed = true;
    /// One decision per spec, in spec order, each with its own verdict. When denied nothing was
    /// counted, and every decision's `used`/`remaining` says so.
    limit_list<decision> decisions;

    /// The first denied decision; null when allowed.
    const decision* denial() const;
    /// For the headers of one unit: the denial when it has that unit, else the decision of
    /// that unit with the least remaining (the shorter window on a tie); null when none.
    const decision* tightest(limit_unit unit) const;
};

/// The tokens an allowed check counted, one entry per token limit (its `delta` the count):
/// what a request keeps until its answer, to correct them to the tokens used. Empty for a
/// denied check and for one without token limits.
using token_reservation = limit_list<window_correction>;

token_reservation reserved_tokens(const check_result& checked);

/// Applies limit_specs to subjects (an API key id, or "ip:1.2.3.4" for anonymous traffic).
/// A subject's limits are one window group of the store, `rl:<subject>`, each window named
/// after its limit: one lookup and one lock per request in memory, one script with Redis.
///
/// Thread safety: stateless apart from the store; safe to share across threads. Lifetime:
/// `store` and `clock` must outlive the limiter.
class rate_limiter {
public:
    rate_limiter(counter_store& store, const clock& clock);

    /// Counts `amount` (negative: 0) against one limit if it fits, atomically.
    decision hit(std::string_view subject, const limit_spec& spec, std::int64_t amount);

    /// The state of one limit without counting anything (`amount` 0, always allowed unless
    /// the window is already over its limit).
    decision peek(std::string_view subject, const limit_spec& spec);

    /// Adds `delta` (may be negative; the count never drops below 0) to the fixed window that
    /// contained `at_ms`, if that window still counts. Corrects a reservation made at `at_ms`.
    void adjust(std::string_view subject, const limit_spec& spec, std::int64_t delta,
                std::int64_t at_ms);

    /// Hits every spec with `amounts.of(spec.unit)`, in one atomic step of the store: counted
    /// only when every spec admits it, else nothing is counted (e.g. rpm would pass, tpm is
    /// denied: the request is not counted against rpm either). At most max_limits specs
    /// (std::length_error beyond).
    check_result check_all(std::string_view subject, std::span<const limit_spec> specs,
                           hit_amounts amounts);

    /// Corrects every token count of `reserved` from its estimate to `actual_tokens`.
    void adjust_tokens(std::string_view subject, const token_reservation& reserved,
                       std::int64_t actual_tokens);

private:
    counter_store& store_;
    const clock& clock_;
};

}  // namespace hadrian::limits
