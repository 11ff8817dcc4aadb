// Clock readings at the kernel tick's resolution (1 to 4 ms), for a quarter of the cost of a
// precise reading (CLOCK_*_COARSE, read from the vDSO without the time stamp counter). For
// deadlines, idle times, cache expiries and limit windows, which are seconds long and read
// several times per request; durations that are reported (latency, gateway overhead) and log
// times take the precise clocks.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>

namespace hadrian::core {

/// A steady clock whose readings are std::chrono::steady_clock time points at most one tick
/// behind it: the two may be compared and mixed.
struct coarse_clock {
    using duration = std::chrono::steady_clock::duration;
    using rep = duration::rep;
    using period = duration::period;
    using time_point = std::chrono::steady_clock::time_point;
    static constexpr bool is_steady = true;

    static time_point now() noexcept {
        timespec ts{};
        ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
        return time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
    }
};

/// Unix time in milliseconds at the tick's resolution (the wall clock, as
/// std::chrono::system_clock).
inline std::int64_t coarse_unix_ms() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

}  // namespace hadrian::core
