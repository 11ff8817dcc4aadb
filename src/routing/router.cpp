// Model string → route (API.md §2).
#include "hadrian/routing/router.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <span>

namespace hadrian::routing {
namespace {

using core::api_error;
using core::errc;

constexpr std::size_t max_model_length = 512;
constexpr std::size_t max_candidates = 8;
/// How much of an over-long model string an error message repeats.
constexpr std::size_t max_echo_length = 64;

bool allowed_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '/' || c == ':' || c == '@';
}

api_error invalid_model(std::string_view model) {
    std::string shown(
        model.substr(0, model.size() > max_model_length ? max_echo_length : model.size()));
    if (shown.size() < model.size()) {
        shown += "...";
    }
    return api_error::make(errc::routing_error, "Invalid model name '" + shown + "'", "model");
}

api_error model_not_found(std::string_view model) {
    return api_error::make(errc::routing_error, "Model '" + std::string(model) + "' not found");
}

/// An `allowed_models` entry matches exactly, or as a prefix when it ends in '*'.
bool is_allowed(const config::provider_config& provider, std::string_view model) {
    if (provider.allowed_models.empty()) {
        return true;
    }
    return std::any_of(provider.allowed_models.begin(), provider.allowed_models.end(),
                       [model](std::string_view pattern) {
                           if (!pattern.empty() && pattern.back() == '*') {
                               pattern.remove_suffix(1);
                               return model.starts_with(pattern);
                           }
                           return model == pattern;
                       });
}

}  // namespace

bool valid_model_string(std::string_view model) noexcept {
    if (model.empty() || model.size() > max_model_length) {
        return false;
    }
    if (!std::all_of(model.begin(), model.end(), allowed_char)) {
        return false;
    }
    while (true) {
        const auto slash = model.find('/');
        const std::string_view segment = model.substr(0, slash);
        if (segment.empty() || segment == "." || segment == "..") {
            return false;
        }
        if (slash == std::string_view::npos) {
            return true;
        }
        model.remove_prefix(slash + 1);
    }
}

router::router(const config::providers_config& providers) : providers_(providers) {}

result<route, core::api_error> router::resolve(std::string_view model) const {
    if (!valid_model_string(model)) {
        return invalid_model(model);
    }

    // `provider/model` when the first segment names a provider; otherwise the whole string is a
    // model of the default provider (OpenRouter-style ids such as `meta-llama/llama-3`). A
    // provider that is declared but disabled is named as such rather than silently sending its
    // models to the default provider.
    const config::provider_config* provider = nullptr;
    std::string_view name = model;
    if (const auto slash = model.find('/'); slash != std::string_view::npos) {
        const std::string_view prefix = model.substr(0, slash);
        provider = providers_.find(prefix);
        if (provider != nullptr) {
            name = model.substr(slash + 1);
        } else if (std::find(providers_.disabled.begin(), providers_.disabled.end(), prefix) !=
                   providers_.disabled.end()) {
            return api_error::make(errc::routing_error,
                                   "Provider '" + std::string(prefix) + "' not found");
        }
    }
    if (provider == nullptr) {
        if (providers_.default_provider.empty()) {
            return api_error::make(errc::routing_error, "No default provider configured");
        }
        provider = providers_.find(providers_.default_provider);
        if (provider == nullptr) {
            return api_error::make(errc::routing_error,
                                   "Provider '" + providers_.default_provider + "' not found");
        }
    }

    route r;
    r.provider = provider->name;
    r.requested = std::string(model);
    if (const auto alias = provider->model_aliases.find(std::string(name));
        alias != provider->model_aliases.end()) {
        r.model = alias->second;
    } else {
        r.model = std::string(name);
    }
    if (!is_allowed(*provider, r.model)) {
        return model_not_found(model);
    }
    return r;
}

result<std::vector<route>, core::api_error> router::candidates(
    std::string_view model, const std::vector<std::string>& models) const {
    // Priority order, exact duplicates removed, at most max_candidates strings.
    std::array<std::string_view, max_candidates> wanted_at;
    std::span<std::string_view> wanted(wanted_at.data(), 0);
    auto add = [&](std::string_view m) {
        if (wanted.size() < max_candidates &&
            std::find(wanted.begin(), wanted.end(), m) == wanted.end()) {
            wanted_at[wanted.size()] = m;
            wanted = std::span(wanted_at.data(), wanted.size() + 1);
        }
    };
    if (!model.empty()) {
        add(model);
    }
    for (const auto& m : models) {
        add(m);
    }
    if (wanted.empty()) {
        return api_error::make(errc::validation_error, "model or models is required", "model");
    }

    std::vector<route> routes;
    routes.reserve(wanted.size());
    std::optional<api_error> first_error;
    for (const auto m : wanted) {
        auto r = resolve(m);
        if (r) {
            routes.push_back(std::move(*r));
        } else if (!first_error) {
            first_error = r.error();
        }
    }
    if (routes.empty()) {
        return std::move(*first_error);
    }
    return routes;
}

}  // namespace hadrian::routing
