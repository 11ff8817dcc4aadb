// Gateway metrics in the Prometheus text format: request counts and durations, and the
// gateway's own overhead per request (time in the gateway minus time waiting on upstreams).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <string>

#include "hadrian/api/context.hpp"
#include "hadrian/core/histogram.hpp"
#include "hadrian/providers/registry.hpp"

namespace hadrian::api {

/// Thread safety: record() from any thread (relaxed atomics); render() at any time.
class gateway_metrics {
public:
    /// One finished request: `total` from its first byte read to its last byte written,
    /// `overhead` the part not spent waiting on an upstream or on the client.
    void record(const request_context& ctx, std::chrono::microseconds total,
                std::chrono::microseconds overhead) noexcept;

    void started() noexcept { in_flight_.fetch_add(1, std::memory_order_relaxed); }
    void finished() noexcept { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

    /// The whole exposition: these metrics, per-provider gauges from `providers`, and the
    /// process's resident memory and open file descriptors.
    std::string render(const providers::registry& providers) const;

private:
    core::histogram duration_;
    core::histogram overhead_;
    core::histogram model_overhead_;  // model requests only (chat, responses, embeddings)
    std::array<std::atomic<std::uint64_t>, 5> by_class_{};  // 1xx … 5xx
    std::atomic<std::uint64_t> streams_{0};
    std::atomic<std::uint64_t> input_tokens_{0};
    std::atomic<std::uint64_t> output_tokens_{0};
    std::atomic<std::uint64_t> cost_microcents_{0};
    std::atomic<std::int64_t> in_flight_{0};
};

}  // namespace hadrian::api
