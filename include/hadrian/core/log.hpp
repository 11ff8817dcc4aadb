/// Logging setup: one spdlog logger per module, text or JSON lines on stderr.
#pragma once

#include <spdlog/spdlog.h>

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

}  // namespace hadrian::core
