// Pieces of a `[providers.NAME]` table: its subtables and the keys of particular provider
// types (provider_parts.cpp). The table itself is walked in parse_providers.cpp.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "config/reader.hpp"
#include "hadrian/config/config.hpp"

namespace hadrian::config::detail {

/// The accepted spellings of `type`, in documentation order.
inline constexpr std::pair<std::string_view, provider_type> provider_type_names[] = {
    {"open_ai", provider_type::open_ai},
    {"anthropic", provider_type::anthropic},
    {"vertex", provider_type::vertex},
    {"bedrock", provider_type::bedrock},
    {"azure_open_ai", provider_type::azure_open_ai},
    {"test", provider_type::test},
    {"pool", provider_type::pool},
};

std::string_view provider_type_name(provider_type t);

/// `[providers.X.retry]`.
void parse_retry(table_reader& r, retry_config& out);

/// `[providers.X.circuit_breaker]`.
void parse_circuit_breaker(table_reader& r, circuit_breaker_config& out);

/// `[providers.X.health_check]`.
void parse_health_check(table_reader& r, health_check_config& out);

/// A pool's `strategy` and `members` (each member declared, not the pool itself, listed once).
void parse_pool(table_reader& provider, const std::set<std::string, std::less<>>& declared,
                std::string_view self, provider_config& out);

/// `[providers.X.credentials]`; which credential types fit depends on the provider type.
void parse_credentials(table_reader& r, provider_type type, provider_credentials& out);

/// `headers = { Name = "value" }`: HTTP header names and single-line values.
void parse_headers(table_reader& provider, std::map<std::string, std::string>& out);

/// The `test` provider's own keys, read from the provider table itself.
void parse_test_options(table_reader& provider, test_provider_options& out);

/// `fallback_providers` and `model_fallbacks`: every provider named must be declared in
/// `declared` and must not be the provider itself (`self`).
void parse_fallbacks(table_reader& provider, const std::set<std::string, std::less<>>& declared,
                     std::string_view self, provider_config& out);

}  // namespace hadrian::config::detail
