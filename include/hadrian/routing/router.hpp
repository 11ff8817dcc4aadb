/// Model string → route. Pure data in, pure data out (API.md §2); tested by tables.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hadrian/config/config.hpp"
#include "hadrian/core/asio.hpp"
#include "hadrian/core/error.hpp"

namespace hadrian::routing {

struct route {
    std::string provider;   // configured provider name
    std::string model;      // model name sent upstream (after aliases)
    std::string requested;  // the model string as the client gave it
};

/// Thread safety: immutable after construction; share freely.
class router {
public:
    explicit router(const config::providers_config& providers);

    /// Resolve one model string: `provider/model` when `provider` is a configured name (the
    /// rest may contain '/'), else the whole string on `default_provider`. Applies the
    /// provider's `model_aliases` then `allowed_models`. Errors are `routing_error` (400)
    /// with messages `Model 'x' not found`, `Provider 'x' not found`, `No default provider
    /// configured`, `Invalid model name 'x'` for a malformed model string.
    result<route, core::api_error> resolve(std::string_view model) const;

    /// Candidates in priority order: `model` (when non-empty) then each of `models`,
    /// de-duplicated. Returns the routable ones; when none is routable, the first error.
    /// An empty `model` and empty `models` is a validation_error with param "model".
    result<std::vector<route>, core::api_error> candidates(
        std::string_view model, const std::vector<std::string>& models) const;

private:
    const config::providers_config& providers_;
};

/// Syntax check of a model string: characters [A-Za-z0-9-._/:@], 1..512 long, no empty, "."
/// or ".." segment between slashes.
bool valid_model_string(std::string_view model) noexcept;

}  // namespace hadrian::routing
