/// Pure arithmetic of the sliding-window-counter algorithm, shared by every counter_store
/// implementation (an in-process one calls these; a Redis Lua script repeats the same integer
/// formulas) and by the rate limiter that turns the counts into headers.
///
/// Fixed windows of `window_ms` are aligned to the Unix epoch; window `i` covers
/// `[i·window, (i+1)·window)`. The sliding estimate at `elapsed` ms into window `i` is
/// `current + ceil(previous · (window − elapsed) / window)`: the previous window's count
/// weighted by how much of it the sliding window still overlaps. A hit of `amount` is admitted
/// when `estimate + amount ≤ limit`. Since the weighted term is never negative, an admitted
/// hit keeps `current ≤ limit`: no aligned window ever admits more than `limit`, and with all
/// traffic inside one window exactly `limit` units pass.
#pragma once

#include <cstdint>

namespace hadrian::limits {

/// Counts of the two fixed windows a sliding estimate is made of.
struct window_counts {
    std::int64_t current = 0;   ///< units counted in the fixed window that contains now
    std::int64_t previous = 0;  ///< units counted in the fixed window just before it
};

/// Where an instant falls among the epoch-aligned fixed windows.
struct window_position {
    std::int64_t index = 0;       ///< floor(now / window)
    std::int64_t start_ms = 0;    ///< index · window
    std::int64_t elapsed_ms = 0;  ///< now − start, in [0, window)
};

/// Position of `now_ms` among windows of `window_ms` (floored, also for negative times).
/// A `window_ms` below 1 is treated as 1.
window_position window_at(std::int64_t now_ms, std::int64_t window_ms) noexcept;

/// `current + ceil(previous · (window − elapsed) / window)`, saturated to the int64 range.
/// `elapsed_ms` is clamped to [0, window). Computed with 128-bit intermediates.
std::int64_t sliding_estimate(const window_counts& counts, std::int64_t window_ms,
                              std::int64_t elapsed_ms) noexcept;

/// Whether `amount` more units fit: `sliding_estimate + amount ≤ limit`. Equivalent to the
/// exact rational test `current + amount + previous·(window − elapsed)/window ≤ limit` for
/// integer amounts. A negative amount is treated as 0.
bool sliding_admits(const window_counts& counts, std::int64_t window_ms, std::int64_t elapsed_ms,
                    std::int64_t amount, std::int64_t limit) noexcept;

/// Milliseconds from `elapsed_ms` until `amount` would be admitted if nothing else arrived:
/// 0 when it fits now, −1 when it never can (`amount > limit`).
std::int64_t sliding_wait_ms(const window_counts& counts, std::int64_t window_ms,
                             std::int64_t elapsed_ms, std::int64_t amount,
                             std::int64_t limit) noexcept;

}  // namespace hadrian::limits
