/// Provider adapters built from the configuration, looked up by name.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hadrian/config/config.hpp"
#include "hadrian/providers/circuit_breaker.hpp"
#include "hadrian/providers/provider.hpp"
#include "hadrian/upstream/client.hpp"

namespace hadrian::providers {

/// Thread safety: the maps are immutable after construction; in-flight counters are atomics
/// and listed models are guarded by a mutex. Lifetime: outlives every request.
class registry {
public:
    /// Build one adapter per configured provider (pools have none: they are expanded into
    /// their members per request). Throws std::runtime_error for a provider type this build
    /// cannot serve.
    registry(const config::config& cfg, upstream::client& client);

    provider* find(std::string_view name) const noexcept;
    /// The circuit breaker of a configured provider (null for unknown names).
    circuit_breaker* breaker(std::string_view name) const noexcept;
    /// The configuration of a provider (null for unknown names).
    const config::provider_config* config_of(std::string_view name) const noexcept;
    const std::map<std::string, std::unique_ptr<provider>, std::less<>>& all() const noexcept {
        return providers_;
    }

    /// Requests of a provider now in flight (null for unknown names). Relaxed atomics: a
    /// balancing hint, not an exact count.
    std::atomic<std::int32_t>* in_flight(std::string_view name) const noexcept;

    /// Model ids the upstream listed (replaces the earlier list).
    void set_listed_models(std::string_view name, std::vector<std::string> ids);

    /// What `/models` advertises for a provider or a pool: configured models, plus the
    /// upstream's listed ones; for a pool, its own plus its members'. Sorted, unique.
    std::vector<std::string> models_of(std::string_view name) const;

    const config::providers_config& config() const noexcept { return cfg_; }

private:
    const config::providers_config& cfg_;
    std::map<std::string, std::unique_ptr<std::atomic<std::int32_t>>, std::less<>> in_flight_;
    mutable std::mutex listed_mutex_;
    std::map<std::string, std::vector<std::string>, std::less<>> listed_;
    std::map<std::string, std::unique_ptr<provider>, std::less<>> providers_;
    std::map<std::string, std::unique_ptr<circuit_breaker>, std::less<>> breakers_;
    std::map<std::string, const config::provider_config*, std::less<>> configs_;
};

}  // namespace hadrian::providers
