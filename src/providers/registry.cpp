#include "hadrian/providers/registry.hpp"

#include <stdexcept>

#include "anthropic.hpp"
#include "bedrock.hpp"
#include "open_ai.hpp"
#include "test_provider.hpp"
#include "vertex.hpp"

namespace hadrian::providers {

registry::registry(const config::config& cfg, upstream::client& client) {
    const auto idle = std::chrono::seconds(cfg.server.streaming_idle_timeout_secs);
    for (const auto& p : cfg.providers.entries) {
        std::unique_ptr<provider> adapter;
        switch (p.type) {
            case config::provider_type::open_ai:
            case config::provider_type::azure_open_ai:
                adapter = std::make_unique<open_ai>(p, client, idle);
                break;
            case config::provider_type::anthropic:
                adapter = std::make_unique<anthropic>(p, client, idle);
                break;
            case config::provider_type::bedrock:
                adapter = std::make_unique<bedrock>(p, client, idle);
                break;
            case config::provider_type::vertex:
                adapter = std::make_unique<vertex>(p, client, idle);
                break;
            case config::provider_type::test:
                adapter = std::make_unique<test_provider>(p);
                break;
        }
        if (!adapter) {
            throw std::runtime_error("providers." + p.name + ".type: unknown provider type");
        }
        providers_.emplace(p.name, std::move(adapter));
        breakers_.emplace(p.name, std::make_unique<circuit_breaker>(p.name, p.circuit_breaker));
        configs_.emplace(p.name, &p);
    }
}

provider* registry::find(std::string_view name) const noexcept {
    auto it = providers_.find(name);
    return it == providers_.end() ? nullptr : it->second.get();
}

}  // namespace hadrian::providers

namespace hadrian::providers {

circuit_breaker* registry::breaker(std::string_view name) const noexcept {
    auto it = breakers_.find(name);
    return it == breakers_.end() ? nullptr : it->second.get();
}

const config::provider_config* registry::config_of(std::string_view name) const noexcept {
    auto it = configs_.find(name);
    return it == configs_.end() ? nullptr : it->second;
}

}  // namespace hadrian::providers
