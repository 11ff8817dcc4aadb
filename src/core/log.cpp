#include "hadrian/core/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <ctime>
#include <limits>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <mutex>

#include "log_sink.hpp"

namespace hadrian::core {
namespace {

constexpr const char* text_pattern = "%Y-%m-%dT%H:%M:%S.%fZ %l [%n] %v";
// `%*` is the message escaped for a JSON string; the access logger writes its own fields.
constexpr const char* json_pattern =
    R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","module":"%n","msg":"%*"})";
constexpr const char* json_fields_pattern =
    R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","module":"%n",%v})";

class escaped_message final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        const auto escaped = json_escape(std::string_view(msg.payload.data(), msg.payload.size()));
        dest.append(escaped.data(), escaped.data() + escaped.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<escaped_message>();
    }
};

struct state {
    std::mutex mutex;
    std::shared_ptr<spdlog::sinks::sink> text_sink;    // every module
    std::shared_ptr<batched_stderr_sink> fields_sink;  // the access log
    spdlog::level::level_enum level = spdlog::level::info;
    std::atomic<bool> json{false};
};

state& global() {
    static state s;
    return s;
}

std::unique_ptr<spdlog::formatter> make_formatter(const char* pattern) {
    auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    f->add_flag<escaped_message>('*').set_pattern(pattern);
    return f;
}

void ensure_sinks_locked(state& s) {
    if (!s.text_sink) {
        s.text_sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
        s.text_sink->set_formatter(make_formatter(text_pattern));
        // The access log has a line per request: written in batches.
        s.fields_sink = std::make_shared<batched_stderr_sink>();
        s.fields_sink->set_formatter(make_formatter(text_pattern));
    }
}

}  // namespace

void setup_logging(std::string_view level, bool json) {
    auto& s = global();
    std::lock_guard lock(s.mutex);
    ensure_sinks_locked(s);
    s.level = spdlog::level::from_str(std::string(level));
    s.json = json;
    s.text_sink->set_formatter(make_formatter(json ? json_pattern : text_pattern));
    s.fields_sink->set_formatter(make_formatter(json ? json_fields_pattern : text_pattern));
    spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) { l->set_level(s.level); });
}

std::shared_ptr<spdlog::logger> logger(const std::string& module) {
    if (auto existing = spdlog::get(module)) {
        return existing;
    }
    auto& s = global();
    std::lock_guard lock(s.mutex);
    if (auto existing = spdlog::get(module)) {
        return existing;
    }
    ensure_sinks_locked(s);
    auto l =
        std::make_shared<spdlog::logger>(module, module == "access" ? s.fields_sink : s.text_sink);
    l->set_level(s.level);
    l->flush_on(spdlog::level::warn);
    spdlog::register_logger(l);
    return l;
}

bool json_logs() noexcept { return global().json.load(std::memory_order_relaxed); }

std::string json_escape(std::string_view s) {
    std::string out(s.size() * json_escape_growth, '\0');
    out.resize(static_cast<std::size_t>(write_json_escaped(out.data(), s) - out.data()));
    return out;
}

namespace {

bool json_plain(unsigned char c) noexcept {
    return c >= 0x20 && c != '"' && c != '\\' && c != 0x7f;
}

/// One byte that is not json_plain, escaped.
char* write_escape(char* out, unsigned char c) noexcept {
    static constexpr std::string_view hex = "0123456789abcdef";
    out[0] = '\\';
    switch (c) {
        case '"':
        case '\\':
            out[1] = static_cast<char>(c);
            return out + 2;
        case '\n':
            out[1] = 'n';
            return out + 2;
        case '\r':
            out[1] = 'r';
            return out + 2;
        case '\t':
            out[1] = 't';
            return out + 2;
        default:
            out[1] = 'u';
            out[2] = '0';
            out[3] = '0';
            out[4] = hex[c >> 4];
            out[5] = hex[c & 15];
            return out + 6;
    }
}

}  // namespace

char* write_json_escaped(char* out, std::string_view s) noexcept {
    const char* p = s.data();
    const char* const end = p + s.size();
#if defined(__SSE2__)
    // 16 bytes at a time: copied whole when all are plain (the room for six bytes per byte
    // holds them), else up to the first that is not.
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i control =
            _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x1f)), _mm_set1_epi8(0x1f));
        const __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                          _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                                             _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out), v);
        const int mask = _mm_movemask_epi8(_mm_or_si128(control, special));
        if (mask == 0) {
            p += 16;
            out += 16;
            continue;
        }
        const auto plain = static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
        out = write_escape(out + plain, static_cast<unsigned char>(p[plain]));
        p += plain + 1;
    }
#endif
    for (; p < end; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (json_plain(c)) [[likely]] {
            *out++ = *p;
        } else {
            out = write_escape(out, c);
        }
    }
    return out;
}

void append_log_time(std::string& out, std::chrono::system_clock::time_point t) {
    using std::chrono::microseconds;
    const std::int64_t us = std::chrono::duration_cast<microseconds>(t.time_since_epoch()).count();
    std::int64_t secs = us / 1'000'000;
    std::int64_t frac = us % 1'000'000;
    if (frac < 0) {
        frac += 1'000'000;
        --secs;
    }
    // The date and time of day change once a second: formatted then, per thread.
    thread_local std::int64_t cached_secs = std::numeric_limits<std::int64_t>::min();
    thread_local std::array<char, 32> cached{};
    thread_local std::size_t cached_size = 0;
    if (secs != cached_secs) {
        const auto tt = static_cast<std::time_t>(secs);
        std::tm tm{};
        gmtime_r(&tt, &tm);
        cached_size = std::strftime(cached.data(), cached.size(), "%Y-%m-%dT%H:%M:%S", &tm);
        cached_secs = secs;
    }
    out.append(cached.data(), cached_size);
    char tail[8] = {'.'};
    for (int i = 6; i >= 1; --i) {
        tail[i] = static_cast<char>('0' + frac % 10);
        frac /= 10;
    }
    tail[7] = 'Z';
    out.append(tail, sizeof tail);
}

bool access_log_enabled() {
    static const auto log = logger("access");
    return log->should_log(spdlog::level::info);
}

void write_access_line(std::string_view fields) {
    static batched_stderr_sink* const sink = [] {
        auto& s = global();
        std::lock_guard lock(s.mutex);
        ensure_sinks_locked(s);
        return s.fields_sink.get();  // created once, never replaced
    }();
    // The same layout as text_pattern and json_fields_pattern, without a formatter's work.
    thread_local std::string line;
    line.clear();
    const bool json = json_logs();
    if (json) {
        line += R"({"ts":")";
    }
    append_log_time(line, std::chrono::system_clock::now());
    line += json ? R"(","level":"info","module":"access",)" : " info [access] ";
    line += fields;
    if (json) {
        line += '}';
    }
    line += '\n';
    sink->append_line(line);
}

}  // namespace hadrian::core
