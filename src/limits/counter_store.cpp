#include "hadrian/limits/counter_store.hpp"

namespace hadrian::limits {

window_state counter_store::window_hit(std::string_view key, std::int64_t window_ms,
                                       std::int64_t now_ms, std::int64_t amount,
                                       std::int64_t limit) {
    const window_ask ask{{}, window_ms, amount, limit};
    window_state out;
    window_hit(key, std::span(&ask, 1), now_ms, std::span(&out, 1));
    return out;
}

void counter_store::window_add(std::string_view key, std::int64_t window_ms, std::int64_t at_ms,
                               std::int64_t delta, std::int64_t now_ms) {
    const window_correction c{{}, window_ms, at_ms, delta};
    window_add(key, std::span(&c, 1), now_ms);
}

}  // namespace hadrian::limits
