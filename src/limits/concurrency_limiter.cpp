#include "hadrian/limits/concurrency_limiter.hpp"

#include <utility>

namespace hadrian::limits {

concurrency_permit::concurrency_permit(concurrency_permit&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), slot_(std::exchange(other.slot_, nullptr)) {}

concurrency_permit& concurrency_permit::operator=(concurrency_permit&& other) noexcept {
    if (this != &other) {
        release();
        owner_ = std::exchange(other.owner_, nullptr);
        slot_ = std::exchange(other.slot_, nullptr);
    }
    return *this;
}

concurrency_permit::~concurrency_permit() { release(); }

void concurrency_permit::release() noexcept {
    if (owner_ != nullptr) {
        std::exchange(owner_, nullptr)->release(*std::exchange(slot_, nullptr));
    }
}

concurrency_limiter::shard& concurrency_limiter::shard_for(std::string_view subject) const {
    const std::uint64_t h = core::string_hash{}(subject)*0x9E3779B97F4A7C15ull;
    return shards_[h >> 60];
}

std::optional<concurrency_permit> concurrency_limiter::acquire(std::string_view subject,
                                                               std::int64_t limit) {
    if (limit <= 0) {
        return std::nullopt;
    }
    shard& s = shard_for(subject);
    std::lock_guard lock(s.mutex);
    auto it = s.counts.find(subject);
    if (it == s.counts.end()) {
        it = s.counts.emplace(std::string(subject), 0).first;
    } else if (it->second >= limit) {
        return std::nullopt;
    }
    ++it->second;
    // The entry is a node of the map: it stays where it is while it holds a slot.
    return concurrency_permit(this, &*it);
}

void concurrency_limiter::release(concurrency_permit::entry& slot) {
    shard& s = shard_for(slot.first);
    std::lock_guard lock(s.mutex);
    // A few idle subjects keep their entry: a key that sends one request at a time would
    // otherwise add and remove it (two allocations) on every request.
    if (--slot.second <= 0 && s.counts.size() > idle_entries_per_shard) {
        s.counts.erase(s.counts.find(slot.first));
    }
}

std::int64_t concurrency_limiter::in_flight(std::string_view subject) const {
    shard& s = shard_for(subject);
    std::lock_guard lock(s.mutex);
    const auto it = s.counts.find(subject);
    return it == s.counts.end() ? 0 : it->second;
}

std::size_t concurrency_limiter::entries() const {
    std::size_t n = 0;
    for (const shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        n += s.counts.size();
    }
    return n;
}

}  // namespace hadrian::limits
