#include "hadrian/limits/concurrency_limiter.hpp"

#include <utility>

namespace hadrian::limits {

concurrency_permit::concurrency_permit(concurrency_limiter* owner, std::string subject)
    : owner_(owner), subject_(std::move(subject)) {}

concurrency_permit::concurrency_permit(concurrency_permit&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), subject_(std::move(other.subject_)) {}

concurrency_permit& concurrency_permit::operator=(concurrency_permit&& other) noexcept {
    if (this != &other) {
        release();
        owner_ = std::exchange(other.owner_, nullptr);
        subject_ = std::move(other.subject_);
    }
    return *this;
}

concurrency_permit::~concurrency_permit() { release(); }

void concurrency_permit::release() noexcept {
    if (owner_ != nullptr) {
        std::exchange(owner_, nullptr)->release(subject_);
    }
}

concurrency_limiter::shard& concurrency_limiter::shard_for(std::string_view subject) const {
    const std::uint64_t h = key_hash{}(subject)*0x9E3779B97F4A7C15ull;
    return shards_[h >> 60];
}

bool concurrency_limiter::try_acquire(std::string_view subject, std::int64_t limit) {
    if (limit <= 0) {
        return false;
    }
    shard& s = shard_for(subject);
    std::lock_guard lock(s.mutex);
    auto it = s.counts.find(subject);
    if (it == s.counts.end()) {
        s.counts.emplace(std::string(subject), 1);
        return true;
    }
    if (it->second >= limit) {
        return false;
    }
    ++it->second;
    return true;
}

void concurrency_limiter::release(std::string_view subject) {
    shard& s = shard_for(subject);
    std::lock_guard lock(s.mutex);
    const auto it = s.counts.find(subject);
    if (it == s.counts.end()) {
        return;
    }
    if (--it->second <= 0) {
        s.counts.erase(it);
    }
}

std::optional<concurrency_permit> concurrency_limiter::acquire(std::string_view subject,
                                                               std::int64_t limit) {
    if (!try_acquire(subject, limit)) {
        return std::nullopt;
    }
    return concurrency_permit(this, std::string(subject));
}

std::int64_t concurrency_limiter::in_flight(std::string_view subject) const {
    shard& s = shard_for(subject);
    std::lock_guard lock(s.mutex);
    const auto it = s.counts.find(subject);
    return it == s.counts.end() ? 0 : it->second;
}

}  // namespace hadrian::limits
