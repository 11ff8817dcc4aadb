/// Provider adapters built from the configuration, looked up by name.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "hadrian/config/config.hpp"
#include "hadrian/providers/circuit_breaker.hpp"
#include "hadrian/providers/provider.hpp"
#include "hadrian/upstream/client.hpp"

namespace hadrian::providers {

/// Thread safety: immutable after construction. Lifetime: outlives every request.
class registry {
public:
    /// Build one adapter per configured provider. Throws std::runtime_error for a provider
    /// type this build cannot serve.
    registry(const config::config& cfg, upstream::client& client);

    provider* find(std::string_view name) const noexcept;
    /// The circuit breaker of a configured provider (null for unknown names).
    circuit_breaker* breaker(std::string_view name) const noexcept;
    /// The configuration of a provider (null for unknown names).
    const config::provider_config* config_of(std::string_view name) const noexcept;
    const std::map<std::string, std::unique_ptr<provider>, std::less<>>& all() const noexcept {
        return providers_;
    }

private:
    std::map<std::string, std::unique_ptr<provider>, std::less<>> providers_;
    std::map<std::string, std::unique_ptr<circuit_breaker>, std::less<>> breakers_;
    std::map<std::string, const config::provider_config*, std::less<>> configs_;
};

}  // namespace hadrian::providers
