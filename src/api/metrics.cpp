#include "metrics.hpp"

#include <dirent.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace hadrian::api {

namespace {

/// Resident set size from /proc/self/statm (0 when unreadable).
std::uint64_t resident_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (f == nullptr) {
        return 0;
    }
    unsigned long size = 0;
    unsigned long resident = 0;
    const int n = std::fscanf(f, "%lu %lu", &size, &resident);
    std::fclose(f);
    return n == 2 ? static_cast<std::uint64_t>(resident) *
                        static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE))
                  : 0;
}

std::uint64_t open_fds() {
    DIR* d = opendir("/proc/self/fd");
    if (d == nullptr) {
        return 0;
    }
    std::uint64_t n = 0;
    while (readdir(d) != nullptr) {
        ++n;
    }
    closedir(d);
    return n >= 3 ? n - 3 : 0;  // ".", ".." and the directory's own descriptor
}

void help(std::string& out, std::string_view name, std::string_view type, std::string_view text) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, text, name, type);
}

}  // namespace

void gateway_metrics::record(const request_context& ctx, std::chrono::microseconds total,
                             std::chrono::microseconds overhead) noexcept {
    duration_.observe(total);
    overhead_.observe(overhead);
    if (!ctx.provider.empty()) {
        model_overhead_.observe(overhead);
    }
    const int cls = ctx.status / 100;
    if (cls >= 1 && cls <= 5) {
        by_class_[static_cast<std::size_t>(cls - 1)].fetch_add(1, std::memory_order_relaxed);
    }
    if (ctx.streamed) {
        streams_.fetch_add(1, std::memory_order_relaxed);
    }
    if (ctx.usage.known) {
        input_tokens_.fetch_add(
            static_cast<std::uint64_t>(std::max<std::int64_t>(ctx.usage.input, 0)),
            std::memory_order_relaxed);
        output_tokens_.fetch_add(
            static_cast<std::uint64_t>(std::max<std::int64_t>(ctx.usage.output, 0)),
            std::memory_order_relaxed);
    }
    if (ctx.cost_known && ctx.cost_microcents > 0) {
        cost_microcents_.fetch_add(static_cast<std::uint64_t>(ctx.cost_microcents),
                                   std::memory_order_relaxed);
    }
}

std::string gateway_metrics::render(const providers::registry& providers) const {
    std::string out;
    out.reserve(8192);
    help(out, "hadrian_requests_total", "counter", "Requests answered, by status class.");
    for (std::size_t i = 0; i < by_class_.size(); ++i) {
        out += fmt::format("hadrian_requests_total{{status_class=\"{}xx\"}} {}\n", i + 1,
                           by_class_[i].load(std::memory_order_relaxed));
    }
    help(out, "hadrian_streams_total", "counter", "Requests answered as SSE streams.");
    out += fmt::format("hadrian_streams_total {}\n", streams_.load(std::memory_order_relaxed));
    help(out, "hadrian_requests_in_flight", "gauge", "Requests being handled now.");
    out +=
        fmt::format("hadrian_requests_in_flight {}\n", in_flight_.load(std::memory_order_relaxed));
    help(out, "hadrian_request_duration_seconds", "histogram",
         "Time from a request's arrival to its last byte written.");
    duration_.render(out, "hadrian_request_duration_seconds");
    help(out, "hadrian_gateway_overhead_seconds", "histogram",
         "Time a request spent in the gateway itself: its duration minus the time waiting on "
         "upstreams (and, for streams, on the client).");
    overhead_.render(out, "hadrian_gateway_overhead_seconds", "kind=\"all\"");
    model_overhead_.render(out, "hadrian_gateway_overhead_seconds", "kind=\"model\"");
    help(out, "hadrian_tokens_total", "counter", "Tokens reported by upstreams.");
    out += fmt::format("hadrian_tokens_total{{direction=\"input\"}} {}\n",
                       input_tokens_.load(std::memory_order_relaxed));
    out += fmt::format("hadrian_tokens_total{{direction=\"output\"}} {}\n",
                       output_tokens_.load(std::memory_order_relaxed));
    help(out, "hadrian_cost_microcents_total", "counter", "Cost of the answered requests.");
    out += fmt::format("hadrian_cost_microcents_total {}\n",
                       cost_microcents_.load(std::memory_order_relaxed));
    help(out, "hadrian_provider_requests_in_flight", "gauge", "Upstream requests in flight.");
    for (const auto& [name, _] : providers.all()) {
        if (auto* n = providers.in_flight(name)) {
            out += fmt::format("hadrian_provider_requests_in_flight{{provider=\"{}\"}} {}\n", name,
                               n->load(std::memory_order_relaxed));
        }
    }
    help(out, "hadrian_provider_circuit_open", "gauge",
         "1 while a provider's circuit breaker is open.");
    for (const auto& [name, _] : providers.all()) {
        if (auto* b = providers.breaker(name)) {
            const bool open = b->current() == providers::circuit_breaker::state::open;
            out += fmt::format("hadrian_provider_circuit_open{{provider=\"{}\"}} {}\n", name,
                               open ? 1 : 0);
        }
    }
    help(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    out += fmt::format("process_resident_memory_bytes {}\n", resident_bytes());
    help(out, "process_open_fds", "gauge", "Open file descriptors.");
    out += fmt::format("process_open_fds {}\n", open_fds());
    return out;
}

}  // namespace hadrian::api
