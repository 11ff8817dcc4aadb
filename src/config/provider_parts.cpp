// Subtables and type-specific keys of `[providers.NAME]`.
#include "config/provider_parts.hpp"

#include <algorithm>
#include <limits>

namespace hadrian::config::detail {
namespace {

constexpr std::int64_t u32_max = std::numeric_limits<std::uint32_t>::max();

bool is_header_name(std::string_view s) {
    constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
    return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               extra.find(c) != std::string_view::npos;
    });
}

/// Checks a provider reference at `node` (`path`): declared, and not the provider itself.
void check_provider_ref(const table_reader& r, const toml::node& node, const std::string& path,
                        const std::string& name, const std::set<std::string, std::less<>>& declared,
                        std::string_view self) {
    if (name == self) {
        fail_value(r.source(), node, path, "a provider cannot fall back to itself");
    }
    if (declared.find(name) == declared.end()) {
        fail_value(r.source(), node, path, "no provider named '" + name + "' is configured");
    }
}

}  // namespace

std::string_view provider_type_name(provider_type t) {
    for (const auto& [name, value] : provider_type_names) {
        if (value == t) {
            return name;
        }
    }
    return "?";
}

void parse_retry(table_reader& r, retry_config& out) {
    r.read("enabled", out.enabled);
    r.read("max_retries", out.max_retries, 0, 100);
    const bool has_initial = r.read("initial_delay_ms", out.initial_delay_ms, 0, u32_max);
    const bool has_max = r.read("max_delay_ms", out.max_delay_ms, 0, u32_max);
    r.read("backoff_multiplier", out.backoff_multiplier, 1.0, 100.0);
    r.read("jitter", out.jitter, 0.0, 1.0);
    if (const toml::node* node = r.get("retryable_status_codes")) {
        const auto* arr = node->as_array();
        if (arr == nullptr) {
            r.fail_at("retryable_status_codes", "expected an array of HTTP status codes, got " +
                                                    std::string(type_name(*node)));
        }
        out.retryable_status_codes.clear();
        for (std::size_t i = 0; i < arr->size(); ++i) {
            out.retryable_status_codes.push_back(static_cast<int>(
                node_int(r.source(), *arr->get(i),
                         index_path(r.path_of("retryable_status_codes"), i), 100, 599)));
        }
    }
    if (out.max_delay_ms < out.initial_delay_ms) {
        const std::string_view key = has_max || !has_initial ? "max_delay_ms" : "initial_delay_ms";
        r.fail_at(key, "max_delay_ms (" + std::to_string(out.max_delay_ms) +
                           ") must not be less than initial_delay_ms (" +
                           std::to_string(out.initial_delay_ms) + ")");
    }
    r.finish();
}

void parse_circuit_breaker(table_reader& r, circuit_breaker_config& out) {
    r.read("enabled", out.enabled);
    r.read("failure_threshold", out.failure_threshold, 1, u32_max);
    r.read("open_timeout_secs", out.open_timeout_secs, 1, u32_max);
    r.read("success_threshold", out.success_threshold, 1, u32_max);
    r.finish();
}

void parse_health_check(table_reader& r, health_check_config& out) {
    out.enabled = true;  // a [health_check] table switches it on unless it says otherwise
    r.read("enabled", out.enabled);
    r.read("interval_secs", out.interval_secs, 1, 86400);
    r.read("timeout_secs", out.timeout_secs, 1, 3600);
    r.read("model", out.model);
    r.finish();
}

void parse_pool(table_reader& provider, const std::set<std::string, std::less<>>& declared,
                std::string_view self, provider_config& out) {
    provider.read_enum<balance_strategy>("strategy", out.strategy,
                                         {{"weighted", balance_strategy::weighted},
                                          {"least_in_flight", balance_strategy::least_in_flight}});
    const toml::node* node = provider.get("members");
    if (node == nullptr) {
        provider.fail_missing("members", "the providers this pool spreads requests over");
    }
    const auto* arr = node->as_array();
    if (arr == nullptr || arr->empty()) {
        provider.fail_at("members",
                         "expected a non-empty array of {provider = \"...\", weight = N}");
    }
    const std::string list_path = provider.path_of("members");
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const std::string path = index_path(list_path, i);
        const auto* element = arr->get(i)->as_table();
        if (element == nullptr) {
            fail_value(provider.source(), *arr->get(i), path,
                       "expected a table {provider = \"...\", weight = N}, got " +
                           std::string(type_name(*arr->get(i))));
        }
        table_reader er(provider.source(), *element, path);
        pool_member member;
        if (!er.read_nonempty("provider", member.provider)) {
            er.fail_missing("provider", "a configured provider");
        }
        const toml::node& name_node = *element->get("provider");
        if (member.provider == self) {
            fail_value(provider.source(), name_node, er.path_of("provider"),
                       "a pool cannot be its own member");
        }
        check_provider_ref(er, name_node, er.path_of("provider"), member.provider, declared, self);
        for (const auto& m : out.members) {
            if (m.provider == member.provider) {
                fail_value(provider.source(), name_node, er.path_of("provider"),
                           "provider '" + member.provider + "' is listed twice");
            }
        }
        er.read("weight", member.weight, 1, 1000000);
        er.finish();
        out.members.push_back(std::move(member));
    }
}

void parse_credentials(table_reader& r, provider_type type, provider_credentials& out) {
    // bedrock signs with AWS keys; vertex uses a Google service account.
    const bool bedrock = type == provider_type::bedrock;
    std::vector<std::string_view> allowed;
    if (bedrock) {
        allowed = {"static", "env"};
    } else {
        allowed = {"service_account"};
    }
    if (!r.read("type", out.type)) {
        r.fail_missing("type", table_reader::expected_one_of(allowed));
    }
    if (std::find(allowed.begin(), allowed.end(), out.type) == allowed.end()) {
        r.fail_at("type", table_reader::expected_one_of(allowed) + " for a " +
                              std::string(provider_type_name(type)) + " provider, got \"" +
                              out.type + "\"");
    }
    const std::string only = "only valid with type = \"";
    if (out.type == "static") {
        if (!r.read_nonempty("access_key_id", out.access_key_id)) {
            r.fail_missing("access_key_id", "for type = \"static\"");
        }
        if (!r.read_nonempty("secret_access_key", out.secret_access_key)) {
            r.fail_missing("secret_access_key", "for type = \"static\"");
        }
        r.read("session_token", out.session_token);
    } else {
        for (auto key : {"access_key_id", "secret_access_key", "session_token"}) {
            r.reject_if_present(key, only + "static\"");
        }
    }
    if (out.type == "service_account") {
        if (!r.read_nonempty("key_path", out.key_path)) {
            r.fail_missing("key_path", "the service account JSON key file");
        }
    } else {
        r.reject_if_present("key_path", only + "service_account\"");
    }
    r.finish();
}

void parse_headers(table_reader& provider, std::map<std::string, std::string>& out) {
    if (!provider.read("headers", out)) {
        return;
    }
    const auto& table = *provider.table().get("headers")->as_table();
    for (const auto& [name, value] : table) {
        const std::string path = join_path(provider.path_of("headers"), name.str());
        if (!is_header_name(name.str())) {
            fail(provider.source(), name.source(), path + ": not a valid HTTP header name");
        }
        const std::string& text = value.as_string()->get();
        if (text.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
            fail_value(provider.source(), value, path,
                       "header values must not contain CR, LF or NUL");
        }
    }
}

void parse_test_options(table_reader& provider, test_provider_options& out) {
    provider.read("response_text", out.response_text);
    provider.read("chunk_count", out.chunk_count, 1, u32_max);
    provider.read("chunk_delay_ms", out.chunk_delay_ms, 0, u32_max);
    provider.read_enum<test_failure>("failure_mode", out.failure,
                                     {{"none", test_failure::none},
                                      {"http_error", test_failure::http_error},
                                      {"connection_error", test_failure::connection_error},
                                      {"timeout", test_failure::timeout},
                                      {"fail_after", test_failure::fail_after}});
    provider.read("failure_status", out.failure_status, 400, 599);
    provider.read("fail_after_chunks", out.fail_after_chunks, 0, u32_max);
}

void parse_fallbacks(table_reader& provider, const std::set<std::string, std::less<>>& declared,
                     std::string_view self, provider_config& out) {
    if (provider.read("fallback_providers", out.fallback_providers)) {
        const auto& arr = *provider.table().get("fallback_providers")->as_array();
        const std::string path = provider.path_of("fallback_providers");
        for (std::size_t i = 0; i < out.fallback_providers.size(); ++i) {
            check_provider_ref(provider, *arr.get(i), index_path(path, i),
                               out.fallback_providers[i], declared, self);
        }
    }
    auto table = provider.sub("model_fallbacks");
    if (!table) {
        return;
    }
    for (const auto& [model_key, node] : table->table()) {
        const std::string model(model_key.str());
        const std::string list_path = table->path_of(model);
        const auto* arr = table->get(model)->as_array();
        if (arr == nullptr) {
            table->fail_at(model,
                           "expected an array of {model = \"...\", provider = \"...\"}, "
                           "got " +
                               std::string(type_name(node)));
        }
        auto& targets = out.model_fallbacks[model];
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const std::string path = index_path(list_path, i);
            const auto* element = arr->get(i)->as_table();
            if (element == nullptr) {
                fail_value(provider.source(), *arr->get(i), path,
                           "expected a table {model = \"...\", provider = \"...\"}, got " +
                               std::string(type_name(*arr->get(i))));
            }
            table_reader er(provider.source(), *element, path);
            fallback_target target;
            if (!er.read_nonempty("model", target.model)) {
                er.fail_missing("model", "the model to fall back to");
            }
            if (er.read("provider", target.provider) && !target.provider.empty() &&
                target.provider != self) {
                check_provider_ref(er, *element->get("provider"), er.path_of("provider"),
                                   target.provider, declared, self);
            }
            if (target.provider == self) {
                target.provider.clear();  // same provider
            }
            er.finish();
            targets.push_back(std::move(target));
        }
    }
    table->finish();
}

}  // namespace hadrian::config::detail
