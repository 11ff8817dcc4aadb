#include "hadrian/limits/memory_counter_store.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

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
        return std::all_of(kv.second.begin(), kv.second.end(), [now_ms](const named_window& w) {
            return window_expiry(w.entry.index, w.entry.window_ms) <= now_ms;
        });
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

memory_counter_store::window_group& memory_counter_store::group(shard& s, const hashed_key& key) {
    auto it = s.windows.find(key);
    if (it == s.windows.end()) {
        it = s.windows.try_emplace(std::string(key.text)).first;
    }
    return it->second;
}

window_position memory_counter_store::roll(window_group& g, std::string_view name,
                                           std::int64_t window_ms, std::int64_t now_ms,
                                           std::size_t& index) {
    const std::int64_t w = std::max<std::int64_t>(window_ms, 1);
    window_position pos = window_at(now_ms, w);
    auto it = std::find_if(g.begin(), g.end(),
                           [name](const named_window& nw) { return nw.name == name; });
    if (it == g.end()) {
        if (g.size() == max_group_windows) {
            throw std::length_error("memory_counter_store: too many windows in one group");
        }
        it = g.insert(g.end(), named_window{std::string(name), window_entry{w, pos.index, {}}});
    }
    window_entry& e = it->entry;
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
    index = static_cast<std::size_t>(it - g.begin());
    return pos;
}

bool memory_counter_store::window_hit(std::string_view text, std::span<const window_ask> asks,
                                      std::int64_t now_ms, std::span<window_state> out) {
    if (asks.size() > max_group_windows || out.size() < asks.size()) {
        throw std::length_error("memory_counter_store::window_hit: too many windows");
    }
    const hashed_key key{text, key_hash{}(text)};
    shard& s = shard_for(key);
    std::lock_guard lock(s.mutex);
    maybe_sweep(s, now_ms);  // the caller's clock reading: one call fewer
    window_group& g = group(s, key);
    // Positions, not pointers: a window added to the group may move the others.
    std::array<std::size_t, max_group_windows> at{};
    for (std::size_t i = 0; i < asks.size(); ++i) {
        out[i].position = roll(g, asks[i].name, asks[i].window_ms, now_ms, at[i]);
    }
    bool all = true;
    for (std::size_t i = 0; i < asks.size(); ++i) {
        const window_entry& e = g[at[i]].entry;
        window_state& st = out[i];
        st.allowed = sliding_admits(e.counts, e.window_ms, st.position.elapsed_ms,
                                    std::max<std::int64_t>(asks[i].amount, 0), asks[i].limit);
        st.counts = e.counts;
        all = all && st.allowed;
    }
    if (all) {
        for (std::size_t i = 0; i < asks.size(); ++i) {
            window_entry& e = g[at[i]].entry;
            e.counts.current =
                saturating_add(e.counts.current, std::max<std::int64_t>(asks[i].amount, 0));
            out[i].counts = e.counts;
        }
    }
    return all;
}

void memory_counter_store::window_add(std::string_view text,
                                      std::span<const window_correction> corrections,
                                      std::int64_t now_ms) {
    const hashed_key key{text, key_hash{}(text)};
    shard& s = shard_for(key);
    std::lock_guard lock(s.mutex);
    maybe_sweep(s, now_ms);  // the caller's clock reading: one call fewer
    window_group& g = group(s, key);
    for (const window_correction& c : corrections) {
        std::size_t at = 0;
        roll(g, c.name, c.window_ms, now_ms, at);
        window_entry& e = g[at].entry;
        const std::int64_t target = window_at(c.at_ms, e.window_ms).index;
        std::int64_t* count = nullptr;
        if (target == e.index) {
            count = &e.counts.current;
        } else if (target == e.index - 1) {
            count = &e.counts.previous;
        } else {
            continue;  // that window no longer counts (or has not begun)
        }
        *count = std::max<std::int64_t>(saturating_add(*count, c.delta), 0);
    }
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
