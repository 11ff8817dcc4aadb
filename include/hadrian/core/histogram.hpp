/// A fixed-bucket histogram of durations for Prometheus, updated with relaxed atomics (no
/// lock; one cache line touched per observation).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace hadrian::core {

class histogram {
public:
    /// Upper bounds in microseconds, ascending; the +Inf bucket is implicit.
    static constexpr std::array<std::int64_t, 14> bounds_us = {
        25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 1000000, 10000000, 60000000};

    void observe(std::chrono::microseconds d) noexcept;

    /// Appends `name_bucket{le=..}`, `name_sum` and `name_count` lines in seconds; `labels`
    /// (`provider="x"`, may be empty) goes into every line.
    void render(std::string& out, std::string_view name, std::string_view labels = {}) const;

private:
    std::array<std::atomic<std::uint64_t>, bounds_us.size() + 1> counts_{};
    std::atomic<std::uint64_t> sum_us_{0};
};

}  // namespace hadrian::core
