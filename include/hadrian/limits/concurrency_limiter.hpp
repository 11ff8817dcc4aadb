/// Caps on requests in flight per subject (`concurrent_requests`).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "hadrian/core/io_mutex.hpp"
#include "hadrian/core/string_map.hpp"

namespace hadrian::limits {

class concurrency_limiter;

/// Holds one in-flight slot and gives it back when destroyed (or at `release`). Move-only.
/// Lifetime: the limiter that issued it must outlive it.
class concurrency_permit {
public:
    concurrency_permit(concurrency_permit&& other) noexcept;
    concurrency_permit& operator=(concurrency_permit&& other) noexcept;
    concurrency_permit(const concurrency_permit&) = delete;
    concurrency_permit& operator=(const concurrency_permit&) = delete;
    ~concurrency_permit();

    /// Gives the slot back now; later calls and the destructor do nothing.
    void release() noexcept;

private:
    friend class concurrency_limiter;
    using entry = std::pair<const std::string, std::int64_t>;
    concurrency_permit(concurrency_limiter* owner, entry* slot) : owner_(owner), slot_(slot) {}

    concurrency_limiter* owner_ = nullptr;
    /// The subject's count, which stays in the limiter's map while any permit holds a slot.
    entry* slot_ = nullptr;
};

/// In-memory counts of requests in flight, per subject, in 16 mutex-protected shards. A
/// subject's entry disappears when its count returns to 0, unless its shard holds few entries
/// (at most 64 idle ones are kept each), so memory follows the number of subjects with
/// requests in flight. Counts are per instance (not shared through Redis: a
/// crashed instance would leak shared slots).
///
/// Thread safety: all calls may be made concurrently.
class concurrency_limiter {
public:
    /// A slot, when fewer than `limit` are in flight for `subject` (`limit ≤ 0`: never), held
    /// by the permit until it is released or destroyed.
    std::optional<concurrency_permit> acquire(std::string_view subject, std::int64_t limit);

    /// Requests in flight for `subject`.
    std::int64_t in_flight(std::string_view subject) const;
    /// Subjects with an entry: those with requests in flight, and a few idle ones.
    std::size_t entries() const;

private:
    struct alignas(64) shard {
        mutable core::io_mutex mutex;
        core::string_map<std::int64_t> counts;
    };
    static constexpr std::size_t shard_count = 16;
    static constexpr std::size_t idle_entries_per_shard = 64;

    friend class concurrency_permit;
    shard& shard_for(std::string_view subject) const;
    /// Gives back the slot counted in `slot`; the subject's entry goes with its last slot.
    void release(concurrency_permit::entry& slot);

    mutable std::array<shard, shard_count> shards_;
};

}  // namespace hadrian::limits
