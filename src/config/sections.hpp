// Parsers of the top-level sections of hadrian.toml. Each reads one table into its struct and
// calls `finish()` on every table it opens, so unknown keys are reported with their path.
#pragma once

#include "config/reader.hpp"
#include "hadrian/config/config.hpp"

namespace hadrian::config::detail {

void parse_server(table_reader& r, server_config& out);                // parse_server.cpp
void parse_database(table_reader& r, database_config& out);            // parse_sections.cpp
void parse_cache(table_reader& r, cache_config& out);                  // parse_sections.cpp
void parse_auth(table_reader& r, auth_config& out);                    // parse_sections.cpp
void parse_limits(table_reader& r, limits_config& out);                // parse_sections.cpp
void parse_observability(table_reader& r, observability_config& out);  // parse_sections.cpp
void parse_providers(table_reader& r, providers_config& out);          // parse_providers.cpp

/// `[pricing.PROVIDER."model"]`: provider → model → prices (parse_sections.cpp).
void parse_pricing_section(table_reader& r,
                           std::map<std::string, std::map<std::string, model_pricing>>& out);

/// A table of model name → price table (`models` of a provider, or one `[pricing.X]`).
void parse_model_prices(table_reader& r, std::map<std::string, model_pricing>& out);

/// Provider names: `[A-Za-z0-9_-]+`.
bool valid_provider_name(std::string_view name);

}  // namespace hadrian::config::detail
