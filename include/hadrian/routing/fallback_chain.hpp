/// The ordered list of (provider, model) candidates a request may be served by.
#pragma once

#include <string>
#include <vector>

#include "hadrian/config/config.hpp"
#include "hadrian/routing/router.hpp"

namespace hadrian::routing {

/// The request's `provider` object (OpenRouter-shaped).
struct provider_preferences {
    std::vector<std::string> order;   // providers tried first, in this order
    std::vector<std::string> only;    // when non-empty: no other provider
    std::vector<std::string> ignore;  // never these
    bool allow_fallbacks = true;      // false: the first candidate only
};

inline constexpr std::size_t max_candidates = 8;

/// `requested` (the request's `model` then `models`, as resolved by the router), then the
/// primary's `model_fallbacks` for its model, then its `fallback_providers` with the same
/// model; shaped by `prefs`; de-duplicated; at most max_candidates. Pure.
std::vector<route> build_chain(const router& r, const config::providers_config& providers,
                               std::vector<route> requested, const provider_preferences& prefs);

}  // namespace hadrian::routing
