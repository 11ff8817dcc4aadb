/// Background work per provider, off the request path: refreshing the upstream's model list
/// (`fetch_models`) and health probes (`[providers.X.health_check]`) that open or close its
/// circuit breaker without user traffic.
#pragma once

#include "hadrian/core/background.hpp"
#include "hadrian/providers/registry.hpp"

namespace hadrian::providers {

/// Spawn the loops of every provider on `tasks`. The registry outlives them (stop `tasks`
/// and wait before destroying it).
void start_monitoring(registry& providers, core::background_tasks& tasks);

/// Whether a failure says the provider is unhealthy (5xx, 408 and transport errors, which are
/// 502) rather than that the request was refused (other 4xx).
bool counts_against_provider(const core::api_error& e) noexcept;

}  // namespace hadrian::providers
