/// In-process counter_store: sharded hash maps, each behind its own mutex.
#pragma once

#include <array>
#include <boost/container/small_vector.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "hadrian/core/io_mutex.hpp"
#include "hadrian/core/string_map.hpp"
#include "hadrian/limits/clock.hpp"
#include "hadrian/limits/counter_store.hpp"

namespace hadrian::limits {

/// Counters held in memory, for a single gateway instance.
///
/// Keys are spread over 16 shards by hash; each call locks exactly one shard for a few
/// map operations (no allocation beyond the entry it creates). Memory stays bounded because
/// every entry expires: a plain counter at its TTL (unless created with none), a window
/// counter once both of its fixed windows are over. Expired entries are dropped lazily: an
/// expired entry found by a call is reset in place, and each shard is swept whole at most once
/// a second, by whichever call touches it.
///
/// A window group is one entry, found by one lookup under one lock: each of its windows keeps
/// its current and previous fixed window. If the caller's `now_ms` goes back to an earlier
/// window (a stepped wall clock), a window does not move back: the call is evaluated in the
/// window's own fixed window at elapsed 0, the most conservative point.
///
/// Thread safety: all calls may be made concurrently. Lifetime: `clock` must outlive the store.
class memory_counter_store final : public counter_store {
public:
    explicit memory_counter_store(const clock& clock);

    std::int64_t add(std::string_view key, std::int64_t delta, std::int64_t ttl_ms) override;
    std::int64_t get(std::string_view key) override;
    bool window_hit(std::string_view key, std::span<const window_ask> asks, std::int64_t now_ms,
                    std::span<window_state> out) override;
    void window_add(std::string_view key, std::span<const window_correction> corrections,
                    std::int64_t now_ms) override;

    /// The most windows one group holds (names beyond it are refused with std::length_error).
    static constexpr std::size_t max_group_windows = 8;

    /// Number of live entries (plain counters and window groups) after sweeping every shard;
    /// for tests and metrics.
    std::size_t size();

    static constexpr std::size_t shard_count = 16;
    static constexpr std::int64_t sweep_interval_ms = 1000;

private:
    struct counter_entry {
        std::int64_t value = 0;
        std::int64_t expires_at_ms = 0;  // int64 max: never
    };
    struct window_entry {
        std::int64_t window_ms = 0;
        std::int64_t index = 0;  // the current fixed window
        window_counts counts;
    };
    /// One window of a group, by name.
    struct named_window {
        std::string name;
        window_entry entry;
    };
    using window_group = boost::container::small_vector<named_window, 4>;
    /// A key with its hash, found once per call: the hash picks the shard and the bucket.
    struct hashed_key {
        std::string_view text;
        std::size_t hash = 0;
        friend bool operator==(const hashed_key& a, std::string_view b) noexcept {
            return a.text == b;
        }
    };
    struct key_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return core::string_hash{}(s); }
        std::size_t operator()(const hashed_key& k) const noexcept { return k.hash; }
    };
    template <class V>
    using map = std::unordered_map<std::string, V, key_hash, std::equal_to<>>;

    struct alignas(64) shard {
        core::io_mutex mutex;
        map<counter_entry> counters;
        map<window_group> windows;
        std::int64_t next_sweep_ms = 0;
    };

    shard& shard_for(const hashed_key& key);
    /// Sweeps `s` when its sweep is due. Caller holds `s.mutex`.
    void maybe_sweep(shard& s, std::int64_t now_ms);
    /// The group of `key`, created when missing. Caller holds the shard's mutex.
    window_group& group(shard& s, const hashed_key& key);
    /// The window `name` of `g` (its place in `index`), created or moved forward to the fixed
    /// window of `now_ms`; returns the position the call is evaluated at. Caller holds the
    /// shard's mutex.
    static window_position roll(window_group& g, std::string_view name, std::int64_t window_ms,
                                std::int64_t now_ms, std::size_t& index);

    const clock& clock_;
    std::array<shard, shard_count> shards_;
};

}  // namespace hadrian::limits
