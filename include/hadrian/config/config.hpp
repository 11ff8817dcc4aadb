/// Typed, immutable view of `hadrian.toml` (API.md §6). Built once by `load`, then shared
/// read-only (`std::shared_ptr<const config>`) by every thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hadrian::config {

struct tls_config {
    std::string cert_path;
    std::string key_path;
};

/// Cross-origin resource sharing for browser clients (`[server.cors]`).
struct cors_config {
    bool enabled = false;
    std::vector<std::string> allowed_origins;  // "*" allows any origin
    std::vector<std::string> allowed_methods = {"GET", "POST", "OPTIONS"};
    std::vector<std::string> allowed_headers = {"Authorization", "Content-Type", "X-API-Key"};
    std::uint32_t max_age = 3600;  // seconds a preflight answer may be cached
};

struct server_config {
    std::string host = "0.0.0.0";
    std::uint16_t port = 8080;
    std::uint64_t body_limit_bytes = 10 * 1024 * 1024;
    std::uint32_t timeout_secs = 300;                 // whole-request deadline upstream
    std::uint32_t streaming_idle_timeout_secs = 120;  // max gap between stream chunks
    std::uint32_t header_read_timeout_secs = 10;      // 408 when the header is not complete
    std::uint32_t keepalive_idle_secs = 60;           // idle keep-alive connection lifetime
    std::uint32_t shutdown_timeout_secs = 30;         // drain time for in-flight requests
    std::uint32_t max_header_bytes = 64 * 1024;       // 431 above it
    std::uint32_t threads = 0;                        // 0: one per core
    std::optional<tls_config> tls;
    std::vector<std::string> trusted_proxies;  // CIDRs
    cors_config cors;
};

enum class database_type { none, sqlite, postgres };
struct database_config {
    database_type type = database_type::none;
    std::string path;  // sqlite
    std::string url;   // postgres
};

enum class cache_type { none, memory, redis };
struct cache_config {
    cache_type type = cache_type::none;
    std::string url;  // redis
    std::string key_prefix = "hadrian:";
};

enum class auth_mode { none, api_key };
struct auth_config {
    auth_mode mode = auth_mode::none;
    std::string bootstrap_api_key;  // empty: none
};

/// Prices in microcents per 1M tokens.
struct model_pricing {
    std::int64_t input_per_1m_tokens = 0;
    std::int64_t output_per_1m_tokens = 0;
    std::optional<std::int64_t> cached_input_per_1m_tokens;
    std::optional<std::int64_t> cache_write_per_1m_tokens;
    std::optional<std::int64_t> reasoning_per_1m_tokens;
};

struct retry_config {
    bool enabled = true;
    std::uint32_t max_retries = 2;
    std::uint32_t initial_delay_ms = 100;
    std::uint32_t max_delay_ms = 10000;
    double backoff_multiplier = 2.0;
    double jitter = 0.1;
    std::vector<int> retryable_status_codes = {429, 500, 502, 503, 504};
};

struct circuit_breaker_config {
    bool enabled = true;
    std::uint32_t failure_threshold = 5;
    std::uint32_t open_timeout_secs = 30;
    std::uint32_t success_threshold = 2;
};

struct fallback_target {
    std::string model;
    std::string provider;  // empty: same provider
};

/// Failure modes of the built-in `test` provider.
enum class test_failure { none, http_error, connection_error, timeout, fail_after };

struct test_provider_options {
    std::string response_text = "Hello from the Hadrian test provider.";
    std::uint32_t chunk_count = 8;     // stream chunks the text is split into
    std::uint32_t chunk_delay_ms = 0;  // delay before each stream chunk
    test_failure failure = test_failure::none;
    int failure_status = 500;             // http_error status
    std::uint32_t fail_after_chunks = 0;  // fail_after: chunks sent before the stream breaks
};

/// `pool` is not an adapter: it spreads requests over other providers (its `members`).
enum class provider_type { open_ai, anthropic, vertex, bedrock, azure_open_ai, test, pool };

/// How a pool picks the member that serves a request (the others follow as fallbacks).
enum class balance_strategy {
    weighted,         // random, in proportion to the weights, among healthy members
    least_in_flight,  // fewest requests in flight per unit of weight; ties by weight
};

struct pool_member {
    std::string provider;
    std::uint32_t weight = 1;
};

/// `[providers.X.health_check]`: a periodic probe that opens or closes the circuit breaker
/// without user traffic.
struct health_check_config {
    bool enabled = false;
    std::uint32_t interval_secs = 30;
    std::uint32_t timeout_secs = 10;
    /// Empty: list the upstream's models (providers with a model listing); else a one-token
    /// chat completion on this model.
    std::string model;
};

struct provider_credentials {
    std::string type;  // "static" | "env" | "service_account"
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;
    std::string key_path;
};

struct provider_config {
    std::string name;
    provider_type type = provider_type::open_ai;
    std::string api_key;
    std::string base_url;  // empty: the provider's public endpoint
    std::string organization;
    std::uint32_t timeout_secs = 300;
    std::uint32_t connect_timeout_secs = 10;
    std::map<std::string, std::string> headers;
    std::vector<std::string> allowed_models;  // empty: all
    std::map<std::string, std::string> model_aliases;
    std::map<std::string, model_pricing> models;
    retry_config retry;
    circuit_breaker_config circuit_breaker;
    std::vector<std::string> fallback_providers;
    std::map<std::string, std::vector<fallback_target>> model_fallbacks;
    health_check_config health_check;
    /// Fetch the upstream's model list for `/models` (providers that have one), at startup and
    /// every models_refresh_secs, in the background.
    bool fetch_models = true;
    std::uint32_t models_refresh_secs = 3600;
    // pool
    balance_strategy strategy = balance_strategy::weighted;
    std::vector<pool_member> members;  // enabled members only, in file order
    // anthropic
    std::uint32_t default_max_tokens = 4096;
    // vertex / bedrock / azure
    std::string project;
    std::string region;
    std::optional<provider_credentials> credentials;
    std::string resource_name;
    std::string api_version;
    std::map<std::string, std::string> deployments;
    // test
    test_provider_options test;
};

struct providers_config {
    std::string default_provider;          // empty: none
    std::vector<provider_config> entries;  // enabled providers, in file order
    /// Providers declared but switched off (`enabled = false`, or `enabled = "if_api_key"`
    /// with an empty `api_key`), in file order; they are not in `entries`.
    std::vector<std::string> disabled;
    const provider_config* find(std::string_view name) const {
        for (const auto& p : entries) {
            if (p.name == name) {
                return &p;
            }
        }
        return nullptr;
    }
};

struct rate_limits_config {
    std::optional<std::uint32_t> requests_per_minute;
    std::optional<std::uint32_t> requests_per_day;
    std::optional<std::uint64_t> tokens_per_minute;
    std::optional<std::uint64_t> tokens_per_day;
    std::optional<std::uint32_t> concurrent_requests;
    std::uint32_t estimated_tokens_per_request = 1000;
    std::optional<std::uint32_t> ip_requests_per_minute;  // from ip_rate_limits
};

struct budgets_config {
    double warning_threshold = 0.8;
    std::int64_t estimated_cost_cents = 1;
};

struct limits_config {
    rate_limits_config rate_limits;
    budgets_config budgets;
};

enum class log_format { text, json };
struct logging_config {
    std::string level = "info";  // trace|debug|info|warn|error|off
    log_format format = log_format::text;
};
struct metrics_config {
    bool enabled = true;
    std::string path = "/metrics";
};
struct observability_config {
    logging_config logging;
    metrics_config metrics;
};

struct config {
    server_config server;
    database_config database;
    cache_config cache;
    auth_config auth;
    providers_config providers;
    limits_config limits;
    std::map<std::string, std::map<std::string, model_pricing>> pricing;  // provider → model
    observability_config observability;
};

/// A configuration that cannot be used; `what()` names the key path, e.g.
/// `server.port: expected an integer in 1..65535`.
class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Expand `${VAR}` and `${VAR:-default}` in `text` (comments are left alone). Throws
/// config_error for an unset variable without a default.
std::string interpolate_env(const std::string& text);

/// Parse TOML text (after interpolation) into a validated config. Throws config_error.
std::shared_ptr<const config> parse(const std::string& toml_text,
                                    const std::string& source_name = "hadrian.toml");

/// Read, interpolate and parse a file. Throws config_error.
std::shared_ptr<const config> load_file(const std::string& path);

}  // namespace hadrian::config
