#include "hadrian/providers/registry.hpp"

#include <algorithm>
#include <stdexcept>

#include "anthropic.hpp"
#include "bedrock.hpp"
#include "open_ai.hpp"
#include "provider_common.hpp"
#include "test_provider.hpp"
#include "vertex.hpp"

namespace hadrian::providers {

registry::registry(const config::config& cfg, upstream::client& client) : cfg_(cfg.providers) {
    const auto idle = std::chrono::seconds(cfg.server.streaming_idle_timeout_secs);
    for (const auto& p : cfg.providers.entries) {
        configs_.emplace(p.name, &p);
        if (p.type == config::provider_type::pool) {
            continue;
        }
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
            case config::provider_type::pool:
                break;
        }
        if (!adapter) {
            throw std::runtime_error("providers." + p.name + ".type: unknown provider type");
        }
        if (p.health_check.enabled && p.health_check.model.empty() && !adapter->lists_models()) {
            throw std::runtime_error("providers." + p.name +
                                     ".health_check.model: required, since this provider has "
                                     "no model listing to probe");
        }
        providers_.emplace(p.name, std::move(adapter));
        breakers_.emplace(p.name, std::make_unique<circuit_breaker>(p.name, p.circuit_breaker));
        in_flight_.emplace(p.name, std::make_unique<std::atomic<std::int32_t>>(0));
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

namespace hadrian::providers {

std::atomic<std::int32_t>* registry::in_flight(std::string_view name) const noexcept {
    auto it = in_flight_.find(name);
    return it == in_flight_.end() ? nullptr : it->second.get();
}

void registry::set_listed_models(std::string_view name, std::vector<std::string> ids) {
    std::lock_guard lock(listed_mutex_);
    listed_[std::string(name)] = std::move(ids);
}

std::vector<std::string> registry::models_of(std::string_view name) const {
    std::vector<std::string> out;
    auto add = [&](std::string_view n) {
        std::vector<std::string> configured;
        if (const provider* p = find(n)) {
            configured = p->models();
        } else if (const auto* cfg = config_of(n)) {
            configured = configured_models(*cfg);  // a pool's aliases and allowed models
        }
        out.insert(out.end(), configured.begin(), configured.end());
        std::lock_guard lock(listed_mutex_);
        if (auto it = listed_.find(n); it != listed_.end()) {
            out.insert(out.end(), it->second.begin(), it->second.end());
        }
    };
    add(name);
    if (const auto* cfg = config_of(name); cfg != nullptr) {
        for (const auto& m : cfg->members) {
            add(m.provider);
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace hadrian::providers
