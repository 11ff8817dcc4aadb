#include "hadrian/routing/fallback_chain.hpp"

#include <algorithm>

namespace hadrian::routing {

namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

void append_if_routable(const router& r, std::vector<route>& out, const std::string& provider,
                        const std::string& model) {
    auto resolved = r.resolve(provider + "/" + model);
    if (resolved && resolved->provider == provider) {
        out.push_back(std::move(*resolved));
    }
}

}  // namespace

std::vector<route> build_chain(const router& r, const config::providers_config& providers,
                               std::vector<route> requested, const provider_preferences& prefs) {
    std::vector<route> chain = std::move(requested);
    if (!chain.empty()) {
        // Copies: the chain may grow under them.
        const std::string primary_provider = chain.front().provider;
        const std::string primary_model = chain.front().model;
        if (const auto* cfg = providers.find(primary_provider)) {
            if (auto it = cfg->model_fallbacks.find(primary_model);
                it != cfg->model_fallbacks.end()) {
                for (const auto& target : it->second) {
                    const std::string& provider =
                        target.provider.empty() ? primary_provider : target.provider;
                    append_if_routable(r, chain, provider, target.model);
                }
            }
            for (const auto& name : cfg->fallback_providers) {
                append_if_routable(r, chain, name, primary_model);
            }
        }
    }
    if (!prefs.only.empty()) {
        std::erase_if(chain, [&](const route& c) { return !contains(prefs.only, c.provider); });
    }
    std::erase_if(chain, [&](const route& c) { return contains(prefs.ignore, c.provider); });
    if (!prefs.order.empty()) {
        auto rank = [&](const route& c) {
            auto it = std::find(prefs.order.begin(), prefs.order.end(), c.provider);
            return static_cast<std::size_t>(it - prefs.order.begin());
        };
        std::stable_sort(chain.begin(), chain.end(),
                         [&](const route& a, const route& b) { return rank(a) < rank(b); });
    }
    if (chain.size() <= 1) {
        return chain;  // nothing to drop
    }
    std::vector<route> out;
    for (auto& c : chain) {
        const bool seen = std::any_of(out.begin(), out.end(), [&](const route& o) {
            return o.provider == c.provider && o.model == c.model;
        });
        if (!seen) {
            out.push_back(std::move(c));
        }
        if (out.size() == max_candidates || (!prefs.allow_fallbacks && !out.empty())) {
            break;
        }
    }
    return out;
}

}  // namespace hadrian::routing
