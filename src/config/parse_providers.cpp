// `[providers]`: `default_provider` and one `[providers.NAME]` table per provider.
//
// A provider may be switched off with `enabled`: `true` (the default), `false`, or
// `"if_api_key"`, which keeps it only when its `api_key` is non-empty after `${VAR}`
// expansion (the shipped config enables `openai` this way when OPENAI_API_KEY is set).
// Disabled providers are still fully validated, but they are left out of `entries`,
// references to them from other providers' fallbacks are dropped, and naming one as
// `default_provider` is an error.
#include <algorithm>
#include <limits>
#include <set>

#include "config/provider_parts.hpp"
#include "config/sections.hpp"

namespace hadrian::config::detail {
namespace {

constexpr std::int64_t u32_max = std::numeric_limits<std::uint32_t>::max();

constexpr unsigned bit(provider_type t) { return 1u << static_cast<unsigned>(t); }

/// Keys that only some provider types take.
struct type_specific_key {
    std::string_view key;
    unsigned types;
};
constexpr unsigned test_only = bit(provider_type::test);
constexpr unsigned pool_only = bit(provider_type::pool);
/// Every type that talks to an upstream itself (all but pool).
constexpr unsigned adapters = bit(provider_type::open_ai) | bit(provider_type::anthropic) |
                              bit(provider_type::vertex) | bit(provider_type::bedrock) |
                              bit(provider_type::azure_open_ai) | test_only;
constexpr type_specific_key type_specific_keys[] = {
    {"api_key", adapters},
    {"base_url", adapters},
    {"timeout_secs", adapters},
    {"connect_timeout_secs", adapters},
    {"headers", adapters},
    {"models", adapters},
    {"retry", adapters},
    {"circuit_breaker", adapters},
    {"health_check", adapters},
    {"fetch_models", adapters},
    {"models_refresh_secs", adapters},
    {"strategy", pool_only},
    {"members", pool_only},
    {"organization", bit(provider_type::open_ai)},
    {"default_max_tokens",
     bit(provider_type::anthropic) | bit(provider_type::vertex) | bit(provider_type::bedrock)},
    {"project", bit(provider_type::vertex)},
    {"region", bit(provider_type::vertex) | bit(provider_type::bedrock)},
    {"credentials", bit(provider_type::vertex) | bit(provider_type::bedrock)},
    {"resource_name", bit(provider_type::azure_open_ai)},
    {"api_version", bit(provider_type::azure_open_ai)},
    {"deployments", bit(provider_type::azure_open_ai)},
    {"response_text", test_only},
    {"chunk_count", test_only},
    {"chunk_delay_ms", test_only},
    {"failure_mode", test_only},
    {"failure_status", test_only},
    {"fail_after_chunks", test_only},
};

std::string types_text(unsigned types) {
    std::string out;
    for (const auto& [name, value] : provider_type_names) {
        if ((types & bit(value)) != 0) {
            out += out.empty() ? "" : " or ";
            out += '"' + std::string(name) + '"';
        }
    }
    return out;
}

struct parsed_provider {
    provider_config config;
    bool enabled = true;
    std::string disabled_reason;
    toml::source_position position;
    std::vector<toml::source_position> member_positions;  // pools: one per member
};

/// Pools: members must be adapters (no pool of pools); disabled members are dropped, and a
/// pool left without members is disabled too.
void resolve_pools(const table_reader& r, std::vector<parsed_provider>& parsed) {
    auto find = [&](const std::string& name) -> parsed_provider* {
        for (auto& p : parsed) {
            if (p.config.name == name) {
                return &p;
            }
        }
        return nullptr;
    };
    for (auto& pool : parsed) {
        if (pool.config.type != provider_type::pool) {
            continue;
        }
        auto& members = pool.config.members;
        for (std::size_t i = 0; i < members.size(); ++i) {
            const parsed_provider* m = find(members[i].provider);
            if (m != nullptr && m->config.type == provider_type::pool) {
                const toml::source_region where{pool.member_positions[i], pool.member_positions[i],
                                                nullptr};
                fail(r.source(), where,
                     index_path(r.path_of(pool.config.name) + ".members", i) + ".provider: '" +
                         members[i].provider + "' is a pool; a pool's members must be providers");
            }
        }
        std::erase_if(members, [&](const pool_member& m) {
            const parsed_provider* p = find(m.provider);
            return p == nullptr || !p->enabled;
        });
        if (pool.enabled && members.empty()) {
            pool.enabled = false;
            pool.disabled_reason = "none of its members is enabled";
        }
    }
}

/// Requirements that only matter for a provider that will be used.
void check_required(table_reader& r, const provider_config& p) {
    switch (p.type) {
        case provider_type::bedrock:
            if (p.region.empty()) {
                r.fail_missing("region", "the AWS region, for a bedrock provider");
            }
            break;
        case provider_type::azure_open_ai:
            if (p.resource_name.empty() && p.base_url.empty()) {
                r.fail_missing("resource_name", "or base_url, for an azure_open_ai provider");
            }
            break;
        case provider_type::vertex:
            if (p.api_key.empty() && (p.project.empty() || p.region.empty())) {
                r.fail_missing(p.project.empty() ? "project" : "region",
                               "a vertex provider needs api_key, or project and region");
            }
            break;
        default:
            break;
    }
}

parsed_provider parse_provider(table_reader& r, const std::string& name,
                               const std::set<std::string, std::less<>>& declared) {
    parsed_provider out;
    out.position = r.table().source().begin;
    provider_config& p = out.config;
    p.name = name;
    p.type = r.required_enum<provider_type>(
        "type", {provider_type_names[0], provider_type_names[1], provider_type_names[2],
                 provider_type_names[3], provider_type_names[4], provider_type_names[5],
                 provider_type_names[6]});
    for (const auto& rule : type_specific_keys) {
        if ((rule.types & bit(p.type)) == 0) {
            r.reject_if_present(rule.key, "only valid for providers of type " +
                                              types_text(rule.types) + ", not \"" +
                                              std::string(provider_type_name(p.type)) + "\"");
        }
    }

    r.read("api_key", p.api_key);
    if (r.read("base_url", p.base_url) && !p.base_url.empty() &&
        p.base_url.rfind("http://", 0) != 0 && p.base_url.rfind("https://", 0) != 0) {
        r.fail_at("base_url", "expected an http:// or https:// URL, got \"" + p.base_url + "\"");
    }
    r.read("organization", p.organization);
    r.read("timeout_secs", p.timeout_secs, 1, u32_max);
    r.read("connect_timeout_secs", p.connect_timeout_secs, 1, u32_max);
    parse_headers(r, p.headers);
    r.read("allowed_models", p.allowed_models);
    r.read("model_aliases", p.model_aliases);
    if (auto models = r.sub("models")) {
        parse_model_prices(*models, p.models);
    }
    if (auto retry = r.sub("retry")) {
        parse_retry(*retry, p.retry);
    }
    if (auto breaker = r.sub("circuit_breaker")) {
        parse_circuit_breaker(*breaker, p.circuit_breaker);
    }
    parse_fallbacks(r, declared, name, p);
    if (auto check = r.sub("health_check")) {
        parse_health_check(*check, p.health_check);
    }
    r.read("fetch_models", p.fetch_models);
    r.read("models_refresh_secs", p.models_refresh_secs, 10, 7 * 86400);
    if (p.type == provider_type::pool) {
        parse_pool(r, declared, name, p);
        for (std::size_t i = 0; i < p.members.size(); ++i) {
            out.member_positions.push_back(
                r.table().get("members")->as_array()->get(i)->source().begin);
        }
    }
    r.read("default_max_tokens", p.default_max_tokens, 1, u32_max);
    r.read("project", p.project);
    r.read("region", p.region);
    if (auto credentials = r.sub("credentials")) {
        parse_credentials(*credentials, p.type, p.credentials.emplace());
    }
    r.read("resource_name", p.resource_name);
    r.read("api_version", p.api_version);
    r.read("deployments", p.deployments);
    if (p.type == provider_type::test) {
        parse_test_options(r, p.test);
    }

    if (const toml::node* enabled = r.get("enabled")) {
        if (const auto* b = enabled->as_boolean()) {
            out.enabled = b->get();
            out.disabled_reason = "enabled = false";
        } else if (const auto* s = enabled->as_string(); s != nullptr && s->get() == "if_api_key") {
            out.enabled = !p.api_key.empty();
            out.disabled_reason = "enabled = \"if_api_key\" and its api_key is empty";
        } else {
            r.fail_at("enabled", "expected true, false or \"if_api_key\", got " +
                                     std::string(type_name(*enabled)));
        }
    }
    if (out.enabled) {
        check_required(r, p);
    }
    r.finish();
    return out;
}

}  // namespace

void parse_providers(table_reader& r, providers_config& out) {
    // First the names, so fallbacks can refer to providers declared further down.
    std::set<std::string, std::less<>> declared;
    for (const auto& [key, node] : r.table()) {
        if (key.str() == "default_provider") {
            continue;
        }
        if (!valid_provider_name(key.str())) {
            fail(r.source(), key.source(),
                 r.path_of(key.str()) +
                     ": provider names may only contain letters, digits, '_' and '-'");
        }
        declared.emplace(key.str());
    }

    std::vector<parsed_provider> parsed;
    for (const auto& name : declared) {
        const toml::node* node = r.table().get(name);
        if (node->as_table() == nullptr) {
            r.fail_at(name, "expected a provider table ([" + r.path_of(name) + "] with a type), " +
                                "got " + std::string(type_name(*node)));
        }
        auto provider = r.sub(name);
        parsed.push_back(parse_provider(*provider, name, declared));
    }
    std::stable_sort(parsed.begin(), parsed.end(),
                     [](const auto& a, const auto& b) { return a.position < b.position; });

    resolve_pools(r, parsed);
    std::map<std::string, std::string, std::less<>> disabled;  // name → why
    for (const auto& p : parsed) {
        if (!p.enabled) {
            disabled.emplace(p.config.name, p.disabled_reason);
            out.disabled.push_back(p.config.name);
        }
    }
    out.entries.clear();
    for (auto& p : parsed) {
        if (!p.enabled) {
            continue;
        }
        auto& c = p.config;
        std::erase_if(c.fallback_providers, [&](const auto& n) { return disabled.count(n) != 0; });
        for (auto it = c.model_fallbacks.begin(); it != c.model_fallbacks.end();) {
            std::erase_if(it->second, [&](const auto& t) { return disabled.count(t.provider); });
            it = it->second.empty() ? c.model_fallbacks.erase(it) : std::next(it);
        }
        out.entries.push_back(std::move(c));
    }

    if (r.read("default_provider", out.default_provider) && !out.default_provider.empty()) {
        const auto& name = out.default_provider;
        if (auto it = disabled.find(name); it != disabled.end()) {
            r.fail_at("default_provider",
                      "provider '" + name + "' is disabled (" + it->second + ")");
        }
        if (declared.find(name) == declared.end()) {
            std::string known;
            for (const auto& n : declared) {
                known += (known.empty() ? "" : ", ") + n;
            }
            r.fail_at("default_provider", "no provider named '" + name + "' is configured" +
                                              (known.empty() ? std::string(" (there are none)")
                                                             : " (configured: " + known + ")"));
        }
    }
    r.finish();
}

}  // namespace hadrian::config::detail
