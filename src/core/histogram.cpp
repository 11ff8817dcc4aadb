#include "hadrian/core/histogram.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace hadrian::core {

void histogram::observe(std::chrono::microseconds d) noexcept {
    const std::int64_t us = std::max<std::int64_t>(d.count(), 0);
    const auto it = std::lower_bound(bounds_us.begin(), bounds_us.end(), us);
    counts_[static_cast<std::size_t>(it - bounds_us.begin())].fetch_add(1,
                                                                        std::memory_order_relaxed);
    sum_us_.fetch_add(static_cast<std::uint64_t>(us), std::memory_order_relaxed);
}

void histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
    const std::string sep = labels.empty() ? "" : ",";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds_us.size(); ++i) {
        cumulative += counts_[i].load(std::memory_order_relaxed);
        const std::string le =
            i < bounds_us.size() ? fmt::format("{}", bounds_us[i] / 1e6) : std::string("+Inf");
        out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, le, cumulative);
    }
    const std::string braces = labels.empty() ? "" : fmt::format("{{{}}}", labels);
    out +=
        fmt::format("{}_sum{} {}\n", name, braces, sum_us_.load(std::memory_order_relaxed) / 1e6);
    out += fmt::format("{}_count{} {}\n", name, braces, cumulative);
}

}  // namespace hadrian::core
