/// Load balancing over the members of a pool (`type = "pool"`): which member serves a
/// request, and in which order the others follow as its fallbacks. Pure: the live state
/// (health, requests in flight) and the random draw come in as arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hadrian/config/config.hpp"
#include "hadrian/routing/router.hpp"

namespace hadrian::routing {

/// What the balancer knows of one member right now.
struct member_state {
    std::uint32_t weight = 1;
    bool healthy = true;  // its circuit is not open
    std::int32_t in_flight = 0;
};

/// Indices of `members` in the order to try them: healthy members first — the chosen one,
/// then the others by descending weight — then unhealthy ones in configuration order.
/// - weighted: the chosen one is drawn in proportion to weight (`random` in [0, 1)).
/// - least_in_flight: the fewest requests in flight per unit of weight; ties drawn by weight.
std::vector<std::size_t> member_order(config::balance_strategy strategy,
                                      const std::vector<member_state>& members, double random);

/// Replace every route on a pool by routes on its members (resolved by `r`, so each member's
/// aliases and allowed models apply; members that do not route the model are left out), in
/// member_order; then drop duplicates and keep at most max_candidates. `state_of` gives a
/// member's live state by provider name.
std::vector<route> expand_pools(const router& r, const config::providers_config& providers,
                                std::vector<route> chain,
                                const std::function<member_state(const std::string&)>& state_of,
                                double random);

}  // namespace hadrian::routing
