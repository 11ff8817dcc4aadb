// `[database]`, `[cache]`, `[auth]`, `[limits]`, `[pricing]` and `[observability]`.
#include <algorithm>
#include <limits>

#include "config/sections.hpp"

namespace hadrian::config::detail {
namespace {

constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();

void parse_price(table_reader& r, model_pricing& out) {
    r.read("input_per_1m_tokens", out.input_per_1m_tokens, 0, i64_max);
    r.read("output_per_1m_tokens", out.output_per_1m_tokens, 0, i64_max);
    r.read("cached_input_per_1m_tokens", out.cached_input_per_1m_tokens, 0, i64_max);
    r.read("cache_write_per_1m_tokens", out.cache_write_per_1m_tokens, 0, i64_max);
    r.read("reasoning_per_1m_tokens", out.reasoning_per_1m_tokens, 0, i64_max);
    r.finish();
}

}  // namespace

bool valid_provider_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

void parse_model_prices(table_reader& r, std::map<std::string, model_pricing>& out) {
    for (const auto& [key, node] : r.table()) {
        const std::string model(key.str());
        auto prices = r.sub(model);
        parse_price(*prices, out[model]);
    }
    r.finish();
}

void parse_pricing_section(table_reader& r,
                           std::map<std::string, std::map<std::string, model_pricing>>& out) {
    for (const auto& [key, node] : r.table()) {
        const std::string provider(key.str());
        if (!valid_provider_name(provider)) {
            r.fail_at(provider, "provider names may only contain letters, digits, '_' and '-'");
        }
        auto models = r.sub(provider);
        parse_model_prices(*models, out[provider]);
    }
    r.finish();
}

void parse_database(table_reader& r, database_config& out) {
    out.type = r.required_enum<database_type>("type", {{"none", database_type::none},
                                                       {"sqlite", database_type::sqlite},
                                                       {"postgres", database_type::postgres}});
    switch (out.type) {
        case database_type::none:
            break;
        case database_type::sqlite:
            if (!r.read_nonempty("path", out.path)) {
                r.fail_missing("path", "the SQLite database file, for type = \"sqlite\"");
            }
            break;
        case database_type::postgres:
            if (!r.read_nonempty("url", out.url)) {
                r.fail_missing("url", "a postgres:// connection URL, for type = \"postgres\"");
            }
            if (out.url.rfind("postgres://", 0) != 0 && out.url.rfind("postgresql://", 0) != 0) {
                r.fail_at("url", "expected a postgres:// or postgresql:// URL");
            }
            break;
    }
    if (out.type != database_type::sqlite) {
        r.reject_if_present("path", "only valid with type = \"sqlite\"");
    }
    if (out.type != database_type::postgres) {
        r.reject_if_present("url", "only valid with type = \"postgres\"");
    }
    r.finish();
}

void parse_cache(table_reader& r, cache_config& out) {
    out.type = r.required_enum<cache_type>(
        "type",
        {{"none", cache_type::none}, {"memory", cache_type::memory}, {"redis", cache_type::redis}});
    if (out.type == cache_type::redis) {
        if (!r.read_nonempty("url", out.url)) {
            r.fail_missing("url", "a redis:// URL, for type = \"redis\"");
        }
        if (out.url.rfind("redis://", 0) != 0 && out.url.rfind("rediss://", 0) != 0) {
            r.fail_at("url", "expected a redis:// or rediss:// URL");
        }
    } else {
        r.reject_if_present("url", "only valid with type = \"redis\"");
    }
    r.read("key_prefix", out.key_prefix);
    r.finish();
}

void parse_auth(table_reader& r, auth_config& out) {
    if (auto mode = r.sub("mode")) {
        out.mode = mode->required_enum<auth_mode>(
            "type", {{"none", auth_mode::none}, {"api_key", auth_mode::api_key}});
        mode->finish();
    }
    if (auto bootstrap = r.sub("bootstrap")) {
        bootstrap->read("api_key", out.bootstrap_api_key);
        bootstrap->finish();
    }
    r.finish();
}

void parse_limits(table_reader& r, limits_config& out) {
    constexpr std::int64_t u32_max = std::numeric_limits<std::uint32_t>::max();
    if (auto rl = r.sub("rate_limits")) {
        auto& o = out.rate_limits;
        rl->read("requests_per_minute", o.requests_per_minute, 1, u32_max);
        rl->read("requests_per_day", o.requests_per_day, 1, u32_max);
        rl->read("tokens_per_minute", o.tokens_per_minute, 1, i64_max);
        rl->read("tokens_per_day", o.tokens_per_day, 1, i64_max);
        rl->read("concurrent_requests", o.concurrent_requests, 1, u32_max);
        rl->read("estimated_tokens_per_request", o.estimated_tokens_per_request, 1, u32_max);
        if (auto ip = rl->sub("ip_rate_limits")) {
            ip->read("requests_per_minute", o.ip_requests_per_minute, 1, u32_max);
            ip->finish();
        }
        rl->finish();
    }
    if (auto budgets = r.sub("budgets")) {
        budgets->read("warning_threshold", out.budgets.warning_threshold, 0.0, 1.0);
        budgets->read("estimated_cost_cents", out.budgets.estimated_cost_cents, 0, i64_max);
        budgets->finish();
    }
    r.finish();
}

void parse_observability(table_reader& r, observability_config& out) {
    if (auto logging = r.sub("logging")) {
        std::string level = out.logging.level;
        if (logging->read("level", level)) {
            constexpr std::string_view levels[] = {"trace", "debug", "info",
                                                   "warn",  "error", "off"};
            if (std::find(std::begin(levels), std::end(levels), level) == std::end(levels)) {
                logging->fail_at(
                    "level", table_reader::expected_one_of({std::begin(levels), std::end(levels)}) +
                                 ", got \"" + level + "\"");
            }
            out.logging.level = level;
        }
        logging->read_enum<log_format>("format", out.logging.format,
                                       {{"text", log_format::text}, {"json", log_format::json}});
        logging->finish();
    }
    if (auto metrics = r.sub("metrics")) {
        metrics->read("enabled", out.metrics.enabled);
        if (metrics->read("path", out.metrics.path) &&
            (out.metrics.path.empty() || out.metrics.path.front() != '/')) {
            metrics->fail_at("path", "expected a path starting with '/'");
        }
        metrics->finish();
    }
    r.finish();
}

}  // namespace hadrian::config::detail
