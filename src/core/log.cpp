#include "hadrian/core/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <atomic>
#include <cstdio>
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
    std::shared_ptr<spdlog::sinks::sink> fields_sink;  // the access log in JSON mode
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
    std::string out;
    out.reserve(s.size() + 8);
    for (const char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out;
}

}  // namespace hadrian::core
