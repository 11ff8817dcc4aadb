/// The storage interface behind rate limiting: named counters with expiry, and sliding-window
/// counters whose check-and-increment is one atomic operation. `memory_counter_store`
/// implements it in process; a Redis implementation can implement each call as one command or
/// one Lua script (the mapping is written next to each call).
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

#include "hadrian/limits/sliding_window.hpp"

namespace hadrian::limits {

/// Outcome of a sliding-window operation.
struct window_state {
    bool allowed = false;      ///< whether the hit was admitted (and counted)
    window_counts counts;      ///< the two windows after the operation
    window_position position;  ///< the window the operation was evaluated in
};

/// Atomic counters. Every call is atomic with respect to every other call on the same key; no
/// call blocks for long (implementations may take a short lock or make one network round trip).
///
/// Window keys: a sliding-window counter named `key` with window `w` consists of the fixed
/// windows `<key>:<index>` (index = floor(now / w)), each expiring 2·w after it was created,
/// so the previous window is always still there while it carries weight. In Redis the key
/// should carry a hash tag, `{<key>}:<index>`, so that both windows live in one cluster slot
/// and a script may touch both.
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

    /// The sliding-window admission, atomically: read the current and previous fixed window of
    /// `key` at `now_ms`, admit when `sliding_admits(counts, window_ms, elapsed, amount,
    /// limit)`, and only then add `amount` to the current window (creating it with a TTL of
    /// 2·window_ms). Returns the decision and the counts after it. `amount` 0 with `limit`
    /// `max_limit` is a read that never changes anything (a peek). Redis: one Lua script with
    /// KEYS = {cur, prev} and ARGV = {amount, limit, window, elapsed}: `GET` both, the integer
    /// test of sliding_window.hpp, then `INCRBY cur amount` + `PEXPIRE cur 2w NX` when admitted;
    /// it returns {allowed, current, previous}.
    virtual window_state window_hit(std::string_view key, std::int64_t window_ms,
                                    std::int64_t now_ms, std::int64_t amount,
                                    std::int64_t limit) = 0;

    /// Adds `delta` (may be negative) to the fixed window of `key` that contains `at_ms`,
    /// clamping the result at 0, provided that window is still the current or the previous one
    /// at `now_ms`; older windows no longer count and are left alone. Used to correct a token
    /// reservation to the actual usage and to roll back a hit. Redis: a Lua script on
    /// `<key>:<index(at_ms)>` (`INCRBY`, floor at 0, `PEXPIRE 2w NX`).
    virtual void window_add(std::string_view key, std::int64_t window_ms, std::int64_t at_ms,
                            std::int64_t delta, std::int64_t now_ms) = 0;

    /// A limit no count reaches; `window_hit(key, w, now, 0, max_limit)` is a peek.
    static constexpr std::int64_t max_limit = std::numeric_limits<std::int64_t>::max();
};

}  // namespace hadrian::limits
