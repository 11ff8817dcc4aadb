/// Injectable millisecond clock for the limits module: wall time in production (windows and
/// budget periods align to UTC), a hand-driven clock in tests.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "hadrian/core/coarse_clock.hpp"

namespace hadrian::limits {

/// Source of "now" in milliseconds since the Unix epoch.
/// Thread safety: implementations are safe to call from any thread.
class clock {
public:
    virtual ~clock() = default;
    virtual std::int64_t now_ms() const = 0;
};

/// `std::chrono::system_clock` (wall time, not steady): rate-limit windows are aligned to the
/// epoch so that a day window ends at UTC midnight, and budget periods are UTC calendar days
/// and months. A wall clock stepped backwards never reopens a window (see counter_store).
class system_clock_source final : public clock {
public:
    /// At the kernel tick's resolution: windows are seconds to days long.
    std::int64_t now_ms() const override { return core::coarse_unix_ms(); }
};

/// A clock that moves only when told to; for tests.
/// Thread safety: `set`/`advance` may race with `now_ms` (atomic).
class manual_clock final : public clock {
public:
    explicit manual_clock(std::int64_t start_ms = 0) : now_(start_ms) {}

    std::int64_t now_ms() const override { return now_.load(std::memory_order_relaxed); }
    void set(std::int64_t ms) { now_.store(ms, std::memory_order_relaxed); }
    void advance(std::int64_t ms) { now_.fetch_add(ms, std::memory_order_relaxed); }

private:
    std::atomic<std::int64_t> now_;
};

}  // namespace hadrian::limits
