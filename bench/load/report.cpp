#include "report.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>

namespace bench::load {

namespace {

struct summary {
    double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;
    std::size_t n = 0;
};

/// Percentiles in milliseconds (nearest rank) of microsecond samples; sorts them.
summary summarize(std::vector<std::uint32_t>& us) {
    summary s;
    s.n = us.size();
    if (us.empty()) {
        return s;
    }
    std::sort(us.begin(), us.end());
    auto rank = [&](double q) {
        const auto i = static_cast<std::size_t>(q * static_cast<double>(us.size()) + 0.999999);
        return us[std::min(us.size() - 1, i == 0 ? 0 : i - 1)] / 1000.0;
    };
    s.p50 = rank(0.50);
    s.p90 = rank(0.90);
    s.p99 = rank(0.99);
    s.p999 = rank(0.999);
    s.max = us.back() / 1000.0;
    s.mean = std::accumulate(us.begin(), us.end(), 0.0) / static_cast<double>(us.size()) / 1000.0;
    return s;
}

/// The summary as JSON, with `q`: the 1/1000 .. 1000/1000 quantiles (nearest rank, ms) of the
/// sorted samples, from which the harness merges runs into one distribution.
std::string json_summary(const summary& s, const std::vector<std::uint32_t>& sorted) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "{\"n\":%zu,\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f,"
                  "\"mean\":%.3f,\"q\":[",
                  s.n, s.p50, s.p90, s.p99, s.p999, s.max, s.mean);
    std::string out = buf;
    constexpr std::size_t points = 1000;
    for (std::size_t k = 1; !sorted.empty() && k <= points; ++k) {
        const std::size_t rank = (k * sorted.size() + points - 1) / points;
        std::snprintf(buf, sizeof buf, "%s%.3f", k == 1 ? "" : ",",
                      sorted[std::max<std::size_t>(rank, 1) - 1] / 1000.0);
        out += buf;
    }
    return out + "]}";
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        if (static_cast<unsigned char>(c) >= 0x20) {
            out += c;
        }
    }
    return out + "\"";
}

const char* mode_name(const options& opt) {
    return opt.streams > 0 ? "hold" : opt.rate > 0 ? "open" : "closed";
}

std::uint64_t error_count(const result& res) {
    std::uint64_t n = 0;
    for (const auto& [kind, count] : res.errors) {
        n += count;
    }
    return n;
}

}  // namespace

std::string report_json(const options& opt, result& res) {
    const summary lat = summarize(res.latency_us);
    const summary ttfb = summarize(res.ttfb_us);
    std::string s = "{\"label\":" + json_string(opt.label) + ",\"mode\":\"" + mode_name(opt) + "\"";
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  ",\"target_rate\":%.3f,\"connections\":%u,\"streams\":%u,\"window_s\":%.3f,"
                  "\"elapsed_s\":%.3f,\"scheduled\":%llu,\"ok\":%llu,\"ok_in_window\":%llu,"
                  "\"rps\":%.2f,\"error_count\":%llu,\"connections_opened\":%llu,"
                  "\"max_in_flight\":%llu",
                  opt.rate, opt.connections, opt.streams, res.window_s, res.elapsed_s,
                  static_cast<unsigned long long>(res.scheduled),
                  static_cast<unsigned long long>(res.ok),
                  static_cast<unsigned long long>(res.ok_in_window),
                  res.window_s > 0 ? static_cast<double>(res.ok_in_window) / res.window_s : 0.0,
                  static_cast<unsigned long long>(error_count(res)),
                  static_cast<unsigned long long>(res.connections_opened),
                  static_cast<unsigned long long>(res.max_in_flight));
    s += buf;
    s += ",\"errors\":{";
    bool first = true;
    for (const auto& [kind, count] : res.errors) {
        s += first ? "" : ",";
        s += json_string(kind) + ":" + std::to_string(count);
        first = false;
    }
    s += "},\"statuses\":{";
    first = true;
    for (const auto& [status, count] : res.statuses) {
        s += first ? "\"" : ",\"";
        s += std::to_string(status) + "\":" + std::to_string(count);
        first = false;
    }
    s += "},\"latency_ms\":" + json_summary(lat, res.latency_us) +
         ",\"ttfb_ms\":" + json_summary(ttfb, res.ttfb_us) + "}\n";
    return s;
}

std::string report_text(const options& opt, result& res) {
    const summary lat = summarize(res.latency_us);
    const summary ttfb = summarize(res.ttfb_us);
    char buf[1024];
    std::string s;
    std::snprintf(buf, sizeof buf,
                  "%s%s%s mode: %llu ok in %.2f s (%.1f req/s in the %.1f s window), %llu errors, "
                  "%llu connections opened, at most %llu in flight\n",
                  opt.label.c_str(), opt.label.empty() ? "" : ": ", mode_name(opt),
                  static_cast<unsigned long long>(res.ok), res.elapsed_s,
                  res.window_s > 0 ? static_cast<double>(res.ok_in_window) / res.window_s : 0.0,
                  res.window_s, static_cast<unsigned long long>(error_count(res)),
                  static_cast<unsigned long long>(res.connections_opened),
                  static_cast<unsigned long long>(res.max_in_flight));
    s += buf;
    std::snprintf(buf, sizeof buf,
                  "  latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f\n",
                  lat.p50, lat.p90, lat.p99, lat.p999, lat.max, lat.mean);
    s += buf;
    std::snprintf(buf, sizeof buf,
                  "  ttfb ms:    p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f\n",
                  ttfb.p50, ttfb.p90, ttfb.p99, ttfb.p999, ttfb.max, ttfb.mean);
    s += buf;
    for (const auto& [kind, count] : res.errors) {
        s += "  error " + kind + ": " + std::to_string(count) + "\n";
    }
    for (const auto& [status, count] : res.statuses) {
        s += "  status " + std::to_string(status) + ": " + std::to_string(count) + "\n";
    }
    return s;
}

}  // namespace bench::load
