/// The storage interface behind rate limiting: named counters with expiry, and sliding-window
/// counters whose check-and-increment is one atomic operation. `memory_counter_store`
/// implements it in process; a Redis implementation can implement each call as one command or
/// one Lua script (the mapping is written next to each call).
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string_view>

#include "hadrian/limits/sliding_window.hpp"

namespace hadrian::limits {

/// Outcome of a sliding-window operation.
struct window_state {
    bool allowed = false;      ///< whether the hit was admitted (and counted)
    window_counts counts;      ///< the two windows after the operation
    window_position position;  ///< the window the operation was evaluated in
};

/// One fixed-size window of a group asked for in a window_hit call.
struct window_ask {
    std::string_view name;  ///< the window within its group ("requests_per_minute", …)
    std::int64_t window_ms = 0;
    std::int64_t amount = 0;  ///< units to count (negative: 0)
    std::int64_t limit = 0;   ///< counter_store::max_limit with amount 0: a read
};

/// One correction in a window_add call: `delta` (may be negative) for the fixed window of
/// `name` that contained `at_ms`.
struct window_correction {
    std::string_view name;
    std::int64_t window_ms = 0;
    std::int64_t at_ms = 0;
    std::int64_t delta = 0;
};

/// Atomic counters. Every call is atomic with respect to every other call on the same key; no
/// call blocks for long (implementations may take a short lock or make one network round trip).
///
/// Window groups: the sliding windows of one subject (a key's requests and tokens, per minute
/// and per day) live under one group key and are checked and counted together, in one step.
/// A sliding-window counter `name` of group `key` with window `w` consists of the fixed windows
/// `{<key>}:<name>:<index>` (index = floor(now / w)), each expiring 2·w after it was created,
/// so the previous window is always still there while it carries weight. The hash tag puts a
/// group in one Redis cluster slot, so that one script may touch all of its windows.
///
/// Time: window calls take `now_ms` from the caller (instances sharing a Redis must keep their
/// clocks in sync); plain counters expire by the store's own clock.
///
/// Thread safety: implementations are safe to use from any number of threads at once.
class counter_store {
public:
    virtual ~counter_store() = default;

    /// Adds `delta` (may be negative) to counter `key` and returns the new value. A missing or
    /// expired counter starts at 0 and, on that creation, expires `ttl_ms` later (`ttl_ms ≤ 0`:
    /// never); later adds keep the expiry. Redis: `INCRBY` then `PEXPIRE key ttl NX`, in one
    /// script or transaction.
    virtual std::int64_t add(std::string_view key, std::int64_t delta, std::int64_t ttl_ms) = 0;

    /// Value of counter `key`; 0 when missing or expired. Redis: `GET`.
    virtual std::int64_t get(std::string_view key) = 0;

    /// The sliding-window admission of a group, atomically: for each ask (names distinct), read
    /// the current and previous fixed window at `now_ms` and decide `sliding_admits(counts,
    /// window_ms, elapsed, amount, limit)`; only when every ask is admitted, add each amount to
    /// its current window (creating it with a TTL of 2·window_ms). `out[i]` (as many as asks)
    /// gets ask i's own verdict and its counts after the call; returns whether all were
    /// admitted (and counted). Redis: one Lua script with KEYS = the current and previous
    /// window of each ask and ARGV = their amounts, limits, windows and elapsed times.
    virtual bool window_hit(std::string_view key, std::span<const window_ask> asks,
                            std::int64_t now_ms, std::span<window_state> out) = 0;

    /// Applies each correction to the fixed window of its name that contains its `at_ms`,
    /// clamping the result at 0, provided that window is still the current or the previous one
    /// at `now_ms`; older windows no longer count and are left alone. Used to correct a token
    /// reservation to the actual usage. Redis: a Lua script (`INCRBY`, floor at 0, `PEXPIRE 2w
    /// NX` per window).
    virtual void window_add(std::string_view key, std::span<const window_correction> corrections,
                            std::int64_t now_ms) = 0;

    /// A limit no count reaches; an ask of 0 against it is a read that changes nothing.
    static constexpr std::int64_t max_limit = std::numeric_limits<std::int64_t>::max();
};

}  // namespace hadrian::limits
