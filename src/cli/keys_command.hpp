/// `hadrian keys …`: create, list and revoke API keys straight in the configured database,
/// without a running gateway (first setup, scripts, recovery).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "hadrian/config/config.hpp"

namespace hadrian::cli {

/// Runs `hadrian keys <args…>`; `args` are the words after `keys`, with `--config PATH`
/// already taken out by the caller. Writes results to stdout and messages to stderr.
/// Returns the process exit code: 0 done, 1 failure (no database, unknown key id, database
/// error), 2 bad arguments (the usage goes to stderr).
int run_keys_command(const config::config& cfg, const std::vector<std::string>& args);

/// As above, writing to `out` and `err` (for tests).
int run_keys_command(const config::config& cfg, const std::vector<std::string>& args,
                     std::ostream& out, std::ostream& err);

/// True when `args` ask for the help text only; then no configuration is needed and
/// run_keys_command may be called with a default-constructed config.
bool keys_help_requested(const std::vector<std::string>& args) noexcept;

}  // namespace hadrian::cli
