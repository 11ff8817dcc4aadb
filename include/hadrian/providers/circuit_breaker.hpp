/// Per-provider circuit breaker: stop calling a provider that keeps failing, probe it again
/// after a pause, and close once it answers again.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "hadrian/config/config.hpp"
#include "hadrian/core/coarse_clock.hpp"

namespace hadrian::providers {

/// closed → (failure_threshold consecutive failures) → open for open_timeout →
/// half_open: one trial request at a time → success_threshold successes close it; a failure
/// re-opens it for twice the previous pause (up to 16× the configured one).
/// Health probes (record_probe) move it without user traffic: a failed probe counts as a
/// failure; successful probes close an open circuit after success_threshold of them.
/// Thread safety: every member may be called concurrently. A closed circuit with no failures
/// on record (the common case) is served without the mutex: atomics only.
class circuit_breaker {
public:
    enum class state { closed, open, half_open };
    /// Pauses are seconds long: the tick-resolution clock serves them.
    using clock = core::coarse_clock;

    circuit_breaker(std::string provider, const config::circuit_breaker_config& cfg);

    /// Whether a request may go out now. In half-open state only one trial at a time.
    bool allow(clock::time_point now = clock::now());
    void record_success(clock::time_point now = clock::now());
    void record_failure(clock::time_point now = clock::now());

    /// The result of a health probe.
    void record_probe(bool healthy, clock::time_point now = clock::now());

    state current(clock::time_point now = clock::now());

private:
    void transition(state to, clock::time_point now);

    std::string provider_;
    config::circuit_breaker_config cfg_;
    std::mutex mutex_;
    std::atomic<state> state_{state::closed};  // written under the mutex
    std::atomic<std::uint32_t> failures_{0};   // consecutive, while closed; under the mutex
    std::uint32_t successes_ = 0;              // while half-open
    bool trial_in_flight_ = false;
    clock::duration pause_;
    clock::time_point open_until_{};
};

}  // namespace hadrian::providers
