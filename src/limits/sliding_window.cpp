#include "hadrian/limits/sliding_window.hpp"

#include <algorithm>
#include <limits>

namespace hadrian::limits {
namespace {

using i128 = __int128;

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();

std::int64_t saturate(i128 v) noexcept {
    if (v > int64_max) {
        return int64_max;
    }
    if (v < int64_min) {
        return int64_min;
    }
    return static_cast<std::int64_t>(v);
}

/// ceil(a / b) for a ≥ 0, b > 0.
i128 ceil_div(i128 a, i128 b) noexcept { return (a + b - 1) / b; }

/// current + ceil(previous · (window − elapsed) / window), unsaturated. Negative counts
/// (never produced by the stores) count as 0.
i128 estimate(const window_counts& c, std::int64_t window, std::int64_t elapsed) noexcept {
    const i128 prev = std::max<std::int64_t>(c.previous, 0);
    const i128 cur = std::max<std::int64_t>(c.current, 0);
    return cur + ceil_div(prev * (window - elapsed), window);
}

}  // namespace

window_position window_at(std::int64_t now_ms, std::int64_t window_ms) noexcept {
    const std::int64_t w = std::max<std::int64_t>(window_ms, 1);
    std::int64_t index = now_ms / w;
    if (now_ms % w < 0) {
        --index;
    }
    const std::int64_t start = index * w;
    return {index, start, now_ms - start};
}

std::int64_t sliding_estimate(const window_counts& counts, std::int64_t window_ms,
                              std::int64_t elapsed_ms) noexcept {
    const std::int64_t w = std::max<std::int64_t>(window_ms, 1);
    return saturate(estimate(counts, w, std::clamp<std::int64_t>(elapsed_ms, 0, w - 1)));
}

bool sliding_admits(const window_counts& counts, std::int64_t window_ms, std::int64_t elapsed_ms,
                    std::int64_t amount, std::int64_t limit) noexcept {
    const std::int64_t w = std::max<std::int64_t>(window_ms, 1);
    const i128 est = estimate(counts, w, std::clamp<std::int64_t>(elapsed_ms, 0, w - 1));
    return est + std::max<std::int64_t>(amount, 0) <= limit;
}

std::int64_t sliding_wait_ms(const window_counts& counts, std::int64_t window_ms,
                             std::int64_t elapsed_ms, std::int64_t amount,
                             std::int64_t limit) noexcept {
    const std::int64_t w = std::max<std::int64_t>(window_ms, 1);
    const std::int64_t e = std::clamp<std::int64_t>(elapsed_ms, 0, w - 1);
    const i128 a = std::max<std::int64_t>(amount, 0);
    const i128 cur = std::max<std::int64_t>(counts.current, 0);
    const i128 prev = std::max<std::int64_t>(counts.previous, 0);
    if (a > limit) {
        return -1;
    }
    if (estimate(counts, w, e) + a <= limit) {
        return 0;
    }
    // The weighted term falls as time passes; find the first elapsed time `x` with
    // `weight · (w − x) ≤ room · w`, i.e. `x ≥ w − floor(room · w / weight)`.
    const auto first_fit = [w](i128 weight, i128 room) -> i128 { return w - (room * w) / weight; };
    if (cur + a <= limit) {
        // Fits later in this window (at the latest at its end, when only `cur` is left).
        return saturate(first_fit(prev, limit - cur - a) - e);
    }
    // Needs the next window, where today's `cur` becomes the weighted previous count.
    return saturate((w - e) + first_fit(cur, limit - a));
}

}  // namespace hadrian::limits
