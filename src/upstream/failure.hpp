// Turning transport errors into upstream::failure values with short, client-safe reasons.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "hadrian/upstream/client.hpp"

namespace spdlog {
class logger;
}

namespace hadrian::upstream {

/// The module's logger (core::logger("upstream")). Never given keys or bodies.
spdlog::logger& logger();

/// A short lower-case reason for a transport error: "connection refused", "connection closed
/// by upstream", "certificate verify failed", … (no host names, no library prefixes).
std::string describe(const error_code& ec);

failure aborted_failure();
failure timeout_failure(std::string message);
/// errc::provider_error with "<stage>: <describe(ec)>".
failure provider_failure(std::string_view stage, const error_code& ec);
/// errc::provider_error with a ready message.
failure provider_failure(std::string message);

}  // namespace hadrian::upstream
