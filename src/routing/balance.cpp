#include "hadrian/routing/balance.hpp"

#include <algorithm>

#include "hadrian/routing/fallback_chain.hpp"

namespace hadrian::routing {

namespace {

/// Index into `candidates` drawn in proportion to the members' weights.
std::size_t draw(const std::vector<std::size_t>& candidates,
                 const std::vector<member_state>& members, double random) {
    std::uint64_t total = 0;
    for (auto i : candidates) {
        total += members[i].weight;
    }
    double point = std::clamp(random, 0.0, 1.0) * static_cast<double>(total);
    for (std::size_t k = 0; k < candidates.size(); ++k) {
        point -= members[candidates[k]].weight;
        if (point < 0) {
            return k;
        }
    }
    return candidates.size() - 1;
}

}  // namespace

std::vector<std::size_t> member_order(config::balance_strategy strategy,
                                      const std::vector<member_state>& members, double random) {
    std::vector<std::size_t> healthy;
    std::vector<std::size_t> unhealthy;
    for (std::size_t i = 0; i < members.size(); ++i) {
        (members[i].healthy ? healthy : unhealthy).push_back(i);
    }
    std::vector<std::size_t> order;
    order.reserve(members.size());
    if (!healthy.empty()) {
        std::vector<std::size_t> pool = healthy;
        if (strategy == config::balance_strategy::least_in_flight) {
            // Load per unit of weight, compared as fractions to stay exact.
            auto less_loaded = [&](std::size_t a, std::size_t b) {
                return static_cast<std::int64_t>(std::max(members[a].in_flight, 0)) *
                           members[b].weight <
                       static_cast<std::int64_t>(std::max(members[b].in_flight, 0)) *
                           members[a].weight;
            };
            const std::size_t best = *std::min_element(pool.begin(), pool.end(), less_loaded);
            std::erase_if(pool, [&](std::size_t i) {
                return less_loaded(best, i);  // keep only those tied with the best
            });
        }
        const std::size_t chosen = pool[draw(pool, members, random)];
        order.push_back(chosen);
        std::erase(healthy, chosen);
        std::stable_sort(healthy.begin(), healthy.end(), [&](std::size_t a, std::size_t b) {
            return members[a].weight > members[b].weight;
        });
        order.insert(order.end(), healthy.begin(), healthy.end());
    }
    order.insert(order.end(), unhealthy.begin(), unhealthy.end());
    return order;
}

std::vector<route> expand_pools(const router& r, const config::providers_config& providers,
                                std::vector<route> chain,
                                const std::function<member_state(const std::string&)>& state_of,
                                double random) {
    // The common case, one route to a provider that is not a pool: nothing to expand or drop.
    if (chain.size() == 1) {
        const config::provider_config* only = providers.find(chain.front().provider);
        if (only == nullptr || only->type != config::provider_type::pool) {
            return chain;
        }
    }
    std::vector<route> expanded;
    for (auto& c : chain) {
        const config::provider_config* pool = providers.find(c.provider);
        if (pool == nullptr || pool->type != config::provider_type::pool) {
            expanded.push_back(std::move(c));
            continue;
        }
        // Only members that route this model take part in the draw.
        std::vector<route> routable;
        std::vector<member_state> states;
        for (const auto& m : pool->members) {
            auto resolved = r.resolve(m.provider + "/" + c.model);
            if (!resolved || resolved->provider != m.provider) {
                continue;
            }
            resolved->requested = c.requested;
            routable.push_back(std::move(*resolved));
            member_state s = state_of(m.provider);
            s.weight = m.weight;
            states.push_back(s);
        }
        for (std::size_t i : member_order(pool->strategy, states, random)) {
            expanded.push_back(std::move(routable[i]));
        }
    }
    std::vector<route> out;
    for (auto& c : expanded) {
        const bool seen = std::any_of(out.begin(), out.end(), [&](const route& o) {
            return o.provider == c.provider && o.model == c.model;
        });
        if (!seen) {
            out.push_back(std::move(c));
        }
        if (out.size() == max_candidates) {
            break;
        }
    }
    return out;
}

}  // namespace hadrian::routing
