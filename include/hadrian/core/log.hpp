/// Logging setup: one spdlog logger per module, text or JSON lines on stderr.
#pragma once

#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace hadrian::core {

/// Configure every logger: `level` is trace|debug|info|warn|error|off; `json` selects one JSON
/// object per line. Call once from main before any logger is used.
void setup_logging(std::string_view level, bool json);

/// The logger of a module ("server", "api", "upstream", "providers", "access", …), created on
/// first use with the configured sink and level. Thread safe.
std::shared_ptr<spdlog::logger> logger(const std::string& module);

/// Whether logs are JSON lines (the access log writes structured fields then).
bool json_logs() noexcept;

/// Escape `s` as the inside of a JSON string (hand-built JSON log lines; also valid inside a
/// TOML basic string). Control characters and DEL become `\uXXXX`.
std::string json_escape(std::string_view s);

/// An escaped byte's size at most (`\u001f`).
inline constexpr std::size_t json_escape_growth = 6;

/// json_escape(s) written at `out`, which has room for `json_escape_growth * s.size()` bytes;
/// returns the end of what was written.
char* write_json_escaped(char* out, std::string_view s) noexcept;

/// `t` as every log line starts: UTC to the microsecond, `2026-01-02T03:04:05.123456Z`.
void append_log_time(std::string& out, std::chrono::system_clock::time_point t);

/// Whether the access log takes lines (its level is info or lower).
bool access_log_enabled();

/// One line of the access log. `fields` are its `key=value` pairs, or its JSON members when
/// json_logs(); the time, level and module go in front as on every other line. Lines are
/// gathered and written to stderr in batches.
void write_access_line(std::string_view fields);

}  // namespace hadrian::core
