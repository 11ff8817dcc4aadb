#include "hadrian/limits/memory_counter_store.hpp"

#include <algorithm>
#include <limits>

namespace hadrian::limits {
namespace {

constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

std::int64_t saturating_add(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t out = 0;
    if (__builtin_add_overflow(a, b, &out)) {
        return b > 0 ? std::numeric_limits<std::int64_t>::max()
                     : std::numeric_limits<std::int64_t>::min();
    }
    return out;
}

/// First instant at which neither fixed window of a window entry at `index` counts any more.
std::int64_t window_expiry(std::int64_t index, std::int64_t window_ms) noexcept {
    const __int128 end = static_cast<__int128>(index + 2) * window_ms;
    return end > never ? never : static_cast<std::int64_t>(end);
}

}  // namespace

memory_counter_store::memory_counter_store(const clock& clock) : clock_(clock) {}

memory_counter_store::shard& memory_counter_store::shard_for(const hashed_key& key) {
    // Multiplicative mixing so that the shard does not use the same low bits as the buckets.
    const std::uint64_t h = key.hash * 0x9E3779B97F4A7C15ull;
    return shards_[h >> 60];
}

void memory_counter_store::maybe_sweep(shard& s, std::int64_t now_ms) {
    if (now_ms < s.next_sweep_ms) {
        return;
    }
    s.next_sweep_ms = saturating_add(now_ms, sweep_interval_ms);
    std::erase_if(s.counters,
                  [now_ms](const auto& kv) { return kv.second.expires_at_ms <= now_ms; });
    std::erase_if(s.windows, [now_ms](const auto& kv) {
        return window_expiry(kv.second.index, kv.second.window_ms) <= now_ms;
    });
}

std::int64_t memory_counter_store::add(std::string_view text, std::int64_t delta,
                                       std::int64_t ttl_ms) {
    const std::int64_t now = clock_.now_ms();
    const hashed_key key{text, key_hash{}(text)};
    shard& s = shard_for(key);
    std::lock_guard lock(s.mutex);
    maybe_sweep(s, now);
    const counter_entry fresh{0, ttl_ms > 0 ? saturating_add(now, ttl_ms) : never};
    auto it = s.counters.find(key);
    if (it == s.counters.end()) {
        it = s.counters.emplace(std::string(text), fresh).first;
    } else if (it->second.expires_at_ms <= now) {
        it->second = fresh;  // expired but not yet swept: a new counter
    }
    counter_entry& e = it->second;
    e.value = saturating_add(e.value, delta);
    return e.value;
}

std::int64_t memory_counter_store::get(std::string_view text) {
    const std::int64_t now = clock_.now_ms();
    const hashed_key key{text, key_hash{}(text)};
    shard& s = shard_for(key);
    std::lock_guard lock(s.mutex);
    maybe_sweep(s, now);
    const auto it = s.counters.find(key);
    if (it == s.counters.end() || it->second.expires_at_ms <= now) {
        return 0;
    }
    return it->second.value;
}

window_position memory_counter_store::roll(shard& s, const hashed_key& key, std::int64_t window_ms,
                                           std::int64_t now_ms, window_entry*& entry) {
    const std::int64_t w = std::max<std::int64_t>(window_ms, 1);
    window_position pos = window_at(now_ms, w);
    auto it = s.windows.find(key);
    if (it == s.windows.end()) {
        it = s.windows.emplace(std::string(key.text), window_entry{w, pos.index, {}}).first;
    }
    window_entry& e = it->second;
    if (e.window_ms != w) {
        e = window_entry{w, pos.index, {}};  // the limit's window changed: start over
    } else if (pos.index == e.index + 1) {
        e.counts = {0, e.counts.current};
        e.index = pos.index;
    } else if (pos.index > e.index + 1) {
        e.counts = {};
        e.index = pos.index;
    } else if (pos.index < e.index) {
        pos = window_position{e.index, e.index * w, 0};  // clock went back: never reopen
    }
    entry = &e;
    return pos;
}

window_state memory_counter_store::window_hit(std::string_view text, std::int64_t window_ms,
                                              std::int64_t now_ms, std::int64_t amount,
                                              std::int64_t limit) {
    const hashed_key key{text, key_hash{}(text)};
    shard& s = shard_for(key);
    std::lock_guard lock(s.mutex);
    maybe_sweep(s, now_ms);  // the caller's clock reading: one call fewer
    window_entry* e = nullptr;
    const window_position pos = roll(s, key, window_ms, now_ms, e);
    const std::int64_t a = std::max<std::int64_t>(amount, 0);
    const bool allowed = sliding_admits(e->counts, e->window_ms, pos.elapsed_ms, a, limit);
    if (allowed) {
        e->counts.current = saturating_add(e->counts.current, a);
    }
    return {allowed, e->counts, pos};
}

void memory_counter_store::window_add(std::string_view text, std::int64_t window_ms,
                                      std::int64_t at_ms, std::int64_t delta, std::int64_t now_ms) {
    const hashed_key key{text, key_hash{}(text)};
    shard& s = shard_for(key);
    std::lock_guard lock(s.mutex);
    maybe_sweep(s, now_ms);  // the caller's clock reading: one call fewer
    window_entry* e = nullptr;
    roll(s, key, window_ms, now_ms, e);
    const std::int64_t target = window_at(at_ms, e->window_ms).index;
    std::int64_t* count = nullptr;
    if (target == e->index) {
        count = &e->counts.current;
    } else if (target == e->index - 1) {
        count = &e->counts.previous;
    } else {
        return;  // that window no longer counts (or has not begun)
    }
    *count = std::max<std::int64_t>(saturating_add(*count, delta), 0);
}

std::size_t memory_counter_store::size() {
    const std::int64_t now = clock_.now_ms();
    std::size_t n = 0;
    for (shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        s.next_sweep_ms = 0;
        maybe_sweep(s, now);
        n += s.counters.size() + s.windows.size();
    }
    return n;
}

}  // namespace hadrian::limits
