#include "hadrian/providers/circuit_breaker.hpp"

#include "hadrian/core/log.hpp"

namespace hadrian::providers {

namespace {

constexpr int max_backoff_factor = 16;

const char* name_of(circuit_breaker::state s) {
    switch (s) {
        case circuit_breaker::state::closed:
            return "closed";
        case circuit_breaker::state::open:
            return "open";
        case circuit_breaker::state::half_open:
            return "half-open";
    }
    return "?";
}

}  // namespace

circuit_breaker::circuit_breaker(std::string provider, const config::circuit_breaker_config& cfg)
    : provider_(std::move(provider)),
      cfg_(cfg),
      pause_(std::chrono::seconds(cfg.open_timeout_secs)) {}

void circuit_breaker::transition(state to, clock::time_point now) {
    const state from = state_.load(std::memory_order_relaxed);
    if (to == from) {
        return;
    }
    core::logger("providers")
        ->warn("circuit of provider '{}' {} -> {}", provider_, name_of(from), name_of(to));
    state_.store(to, std::memory_order_release);
    failures_.store(0, std::memory_order_relaxed);
    successes_ = 0;
    trial_in_flight_ = false;
    if (to == state::open) {
        open_until_ = now + pause_;
    }
}

bool circuit_breaker::allow(clock::time_point now) {
    if (!cfg_.enabled || state_.load(std::memory_order_acquire) == state::closed) {
        return true;
    }
    std::lock_guard lock(mutex_);
    if (state_ == state::open && now >= open_until_) {
        transition(state::half_open, now);
    }
    switch (state_.load(std::memory_order_relaxed)) {
        case state::closed:
            return true;
        case state::open:
            return false;
        case state::half_open:
            if (trial_in_flight_) {
                return false;
            }
            trial_in_flight_ = true;
            return true;
    }
    return true;
}

void circuit_breaker::record_success(clock::time_point now) {
    if (!cfg_.enabled || (state_.load(std::memory_order_acquire) == state::closed &&
                          failures_.load(std::memory_order_relaxed) == 0)) {
        return;
    }
    std::lock_guard lock(mutex_);
    if (state_ == state::half_open) {
        trial_in_flight_ = false;
        if (++successes_ >= cfg_.success_threshold) {
            pause_ = std::chrono::seconds(cfg_.open_timeout_secs);
            transition(state::closed, now);
        }
        return;
    }
    failures_ = 0;
}

void circuit_breaker::record_failure(clock::time_point now) {
    if (!cfg_.enabled) {
        return;
    }
    std::lock_guard lock(mutex_);
    if (state_ == state::half_open) {
        // Still failing: pause longer before the next trial.
        const auto longest = std::chrono::seconds(cfg_.open_timeout_secs) * max_backoff_factor;
        pause_ = std::min<clock::duration>(pause_ * 2, longest);
        transition(state::open, now);
        return;
    }
    if (state_ == state::closed && ++failures_ >= cfg_.failure_threshold) {
        transition(state::open, now);
    }
}

void circuit_breaker::record_probe(bool healthy, clock::time_point now) {
    if (!cfg_.enabled) {
        return;
    }
    if (!healthy) {
        record_failure(now);
        return;
    }
    std::lock_guard lock(mutex_);
    if (state_ == state::closed) {
        failures_ = 0;
        return;
    }
    if (state_ == state::open) {
        transition(state::half_open, now);  // no need to wait for the pause to end
    }
    if (++successes_ >= cfg_.success_threshold) {
        pause_ = std::chrono::seconds(cfg_.open_timeout_secs);
        transition(state::closed, now);
    }
}

circuit_breaker::state circuit_breaker::current(clock::time_point now) {
    if (state_.load(std::memory_order_acquire) == state::closed) {
        return state::closed;
    }
    std::lock_guard lock(mutex_);
    if (state_ == state::open && now >= open_until_) {
        return state::half_open;
    }
    return state_;
}

}  // namespace hadrian::providers
