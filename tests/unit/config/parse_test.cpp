// A complete, valid configuration lands field by field in the config struct.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hadrian/config/config.hpp"

namespace hadrian::config {
namespace {

const std::string fixtures = std::string(HADRIAN_SOURCE_DIR) + "/tests/fixtures/config/";

TEST(Parse, EmptyTextGivesDefaults) {
    const auto cfg = parse("");
    const config defaults;
    EXPECT_EQ(cfg->server.host, defaults.server.host);
    EXPECT_EQ(cfg->server.port, 8080);
    EXPECT_EQ(cfg->server.body_limit_bytes, 10u * 1024 * 1024);
    EXPECT_FALSE(cfg->server.tls.has_value());
    EXPECT_FALSE(cfg->server.cors.enabled);
    EXPECT_EQ(cfg->database.type, database_type::none);
    EXPECT_EQ(cfg->cache.type, cache_type::none);
    EXPECT_EQ(cfg->auth.mode, auth_mode::none);
    EXPECT_TRUE(cfg->providers.entries.empty());
    EXPECT_TRUE(cfg->providers.default_provider.empty());
    EXPECT_EQ(cfg->observability.logging.level, "info");
    EXPECT_EQ(cfg->observability.logging.format, log_format::text);
    EXPECT_TRUE(cfg->observability.metrics.enabled);
}

TEST(Parse, MinimalProviderGetsDefaults) {
    const auto cfg = parse("[providers.p]\ntype = \"open_ai\"\n");
    ASSERT_EQ(cfg->providers.entries.size(), 1u);
    const provider_config& p = cfg->providers.entries[0];
    const provider_config defaults;
    EXPECT_EQ(p.name, "p");
    EXPECT_EQ(p.timeout_secs, defaults.timeout_secs);
    EXPECT_EQ(p.retry.max_retries, defaults.retry.max_retries);
    EXPECT_EQ(p.retry.retryable_status_codes, defaults.retry.retryable_status_codes);
    EXPECT_TRUE(p.circuit_breaker.enabled);
    EXPECT_FALSE(p.credentials.has_value());
}

class FullFile : public ::testing::Test {
protected:
    static void SetUpTestSuite() { cfg_ = load_file(fixtures + "full.toml"); }
    static void TearDownTestSuite() { cfg_.reset(); }
    static std::shared_ptr<const config> cfg_;

    static const provider_config& provider(std::string_view name) {
        const provider_config* p = cfg_->providers.find(name);
        if (p == nullptr) {
            throw std::runtime_error("missing provider " + std::string(name));
        }
        return *p;
    }
};
std::shared_ptr<const config> FullFile::cfg_;

TEST_F(FullFile, Server) {
    const server_config& s = cfg_->server;
    EXPECT_EQ(s.host, "0.0.0.0");
    EXPECT_EQ(s.port, 9090);
    EXPECT_EQ(s.body_limit_bytes, 2097152u);
    EXPECT_EQ(s.timeout_secs, 120u);
    EXPECT_EQ(s.streaming_idle_timeout_secs, 45u);
    EXPECT_EQ(s.header_read_timeout_secs, 5u);
    EXPECT_EQ(s.keepalive_idle_secs, 30u);
    EXPECT_EQ(s.shutdown_timeout_secs, 15u);
    EXPECT_EQ(s.max_header_bytes, 32768u);
    EXPECT_EQ(s.threads, 4u);
    EXPECT_EQ(s.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "::1", "192.168.1.7"}));
    ASSERT_TRUE(s.tls.has_value());
    EXPECT_EQ(s.tls->cert_path, "/etc/hadrian/cert.pem");
    EXPECT_EQ(s.tls->key_path, "/etc/hadrian/key.pem");
    EXPECT_TRUE(s.cors.enabled);
    EXPECT_EQ(s.cors.allowed_origins,
              (std::vector<std::string>{"https://app.example.com", "http://localhost:3000"}));
    EXPECT_EQ(s.cors.allowed_methods, (std::vector<std::string>{"GET", "POST"}));
    EXPECT_EQ(s.cors.allowed_headers, (std::vector<std::string>{"Authorization", "Content-Type"}));
    EXPECT_EQ(s.cors.max_age, 600u);
}

TEST_F(FullFile, DatabaseCacheAuth) {
    EXPECT_EQ(cfg_->database.type, database_type::sqlite);
    EXPECT_EQ(cfg_->database.path, "data/hadrian.db");
    EXPECT_EQ(cfg_->cache.type, cache_type::redis);
    EXPECT_EQ(cfg_->cache.url, "redis://localhost:6379/0");
    EXPECT_EQ(cfg_->cache.key_prefix, "gw:");
    EXPECT_EQ(cfg_->auth.mode, auth_mode::api_key);
    EXPECT_EQ(cfg_->auth.bootstrap_api_key, "gw_live_bootstrap");
}

TEST_F(FullFile, ProvidersInFileOrderWithoutDisabledOnes) {
    const auto& providers = cfg_->providers;
    EXPECT_EQ(providers.default_provider, "test");
    std::vector<std::string> names;
    for (const auto& p : providers.entries) {
        names.push_back(p.name);
    }
    EXPECT_EQ(names, (std::vector<std::string>{"test", "openai", "anthropic", "bedrock", "vertex",
                                               "azure"}));
    EXPECT_EQ(providers.disabled, (std::vector<std::string>{"spare"}));
    EXPECT_EQ(providers.find("spare"), nullptr);
}

TEST_F(FullFile, TestProvider) {
    const provider_config& p = provider("test");
    EXPECT_EQ(p.type, provider_type::test);
    EXPECT_EQ(p.test.response_text, "pong");
    EXPECT_EQ(p.test.chunk_count, 3u);
    EXPECT_EQ(p.test.chunk_delay_ms, 5u);
    EXPECT_EQ(p.test.failure, test_failure::fail_after);
    EXPECT_EQ(p.test.failure_status, 503);
    EXPECT_EQ(p.test.fail_after_chunks, 2u);
    EXPECT_EQ(p.fallback_providers, (std::vector<std::string>{"openai"}));
}

TEST_F(FullFile, OpenAiProvider) {
    const provider_config& p = provider("openai");
    EXPECT_EQ(p.type, provider_type::open_ai);
    EXPECT_EQ(p.api_key, "sk-test");
    EXPECT_EQ(p.base_url, "http://127.0.0.1:9999/v1");
    EXPECT_EQ(p.organization, "org-1");
    EXPECT_EQ(p.timeout_secs, 60u);
    EXPECT_EQ(p.connect_timeout_secs, 3u);
    EXPECT_EQ(p.headers, (std::map<std::string, std::string>{{"X-Team", "ml"}, {"X-Trace", "on"}}));
    EXPECT_EQ(p.allowed_models, (std::vector<std::string>{"gpt-4o", "gpt-4o-mini"}));
    EXPECT_EQ(p.model_aliases, (std::map<std::string, std::string>{{"fast", "gpt-4o-mini"}}));
    EXPECT_EQ(p.fallback_providers, (std::vector<std::string>{"anthropic"}));

    ASSERT_EQ(p.model_fallbacks.count("gpt-4o"), 1u);
    const auto& targets = p.model_fallbacks.at("gpt-4o");
    ASSERT_EQ(targets.size(), 2u);
    EXPECT_EQ(targets[0].model, "gpt-4o-mini");
    EXPECT_EQ(targets[0].provider, "");
    EXPECT_EQ(targets[1].model, "claude-sonnet-4");
    EXPECT_EQ(targets[1].provider, "anthropic");

    ASSERT_EQ(p.models.count("gpt-4o"), 1u);
    const model_pricing& price = p.models.at("gpt-4o");
    EXPECT_EQ(price.input_per_1m_tokens, 2500000);
    EXPECT_EQ(price.output_per_1m_tokens, 10000000);
    EXPECT_EQ(price.cached_input_per_1m_tokens, 1250000);
    EXPECT_FALSE(price.cache_write_per_1m_tokens.has_value());

    EXPECT_TRUE(p.retry.enabled);
    EXPECT_EQ(p.retry.max_retries, 4u);
    EXPECT_EQ(p.retry.initial_delay_ms, 50u);
    EXPECT_EQ(p.retry.max_delay_ms, 2000u);
    EXPECT_DOUBLE_EQ(p.retry.backoff_multiplier, 1.5);
    EXPECT_DOUBLE_EQ(p.retry.jitter, 0.25);
    EXPECT_EQ(p.retry.retryable_status_codes, (std::vector<int>{429, 503}));

    EXPECT_FALSE(p.circuit_breaker.enabled);
    EXPECT_EQ(p.circuit_breaker.failure_threshold, 7u);
    EXPECT_EQ(p.circuit_breaker.open_timeout_secs, 12u);
    EXPECT_EQ(p.circuit_breaker.success_threshold, 3u);
}

TEST_F(FullFile, CloudProviders) {
    const provider_config& anthropic = provider("anthropic");
    EXPECT_EQ(anthropic.type, provider_type::anthropic);
    EXPECT_EQ(anthropic.default_max_tokens, 1024u);

    const provider_config& bedrock = provider("bedrock");
    EXPECT_EQ(bedrock.type, provider_type::bedrock);
    EXPECT_EQ(bedrock.region, "eu-west-1");
    ASSERT_TRUE(bedrock.credentials.has_value());
    EXPECT_EQ(bedrock.credentials->type, "static");
    EXPECT_EQ(bedrock.credentials->access_key_id, "AKIA");
    EXPECT_EQ(bedrock.credentials->secret_access_key, "secret");
    EXPECT_EQ(bedrock.credentials->session_token, "tok");

    const provider_config& vertex = provider("vertex");
    EXPECT_EQ(vertex.type, provider_type::vertex);
    EXPECT_EQ(vertex.project, "my-project");
    EXPECT_EQ(vertex.region, "us-central1");
    ASSERT_TRUE(vertex.credentials.has_value());
    EXPECT_EQ(vertex.credentials->type, "service_account");
    EXPECT_EQ(vertex.credentials->key_path, "/etc/hadrian/sa.json");

    const provider_config& azure = provider("azure");
    EXPECT_EQ(azure.type, provider_type::azure_open_ai);
    EXPECT_EQ(azure.resource_name, "my-resource");
    EXPECT_EQ(azure.api_version, "2024-06-01");
    EXPECT_EQ(azure.api_key, "az-key");
    EXPECT_EQ(azure.deployments, (std::map<std::string, std::string>{{"gpt-4o", "prod-gpt4o"}}));
}

TEST_F(FullFile, LimitsPricingObservability) {
    const rate_limits_config& rl = cfg_->limits.rate_limits;
    EXPECT_EQ(rl.requests_per_minute, 60u);
    EXPECT_EQ(rl.requests_per_day, 10000u);
    EXPECT_EQ(rl.tokens_per_minute, 100000u);
    EXPECT_EQ(rl.tokens_per_day, 5000000u);
    EXPECT_EQ(rl.concurrent_requests, 8u);
    EXPECT_EQ(rl.estimated_tokens_per_request, 500u);
    EXPECT_EQ(rl.ip_requests_per_minute, 30u);
    EXPECT_DOUBLE_EQ(cfg_->limits.budgets.warning_threshold, 0.9);
    EXPECT_EQ(cfg_->limits.budgets.estimated_cost_cents, 2);

    ASSERT_EQ(cfg_->pricing.count("openai"), 1u);
    ASSERT_EQ(cfg_->pricing.at("openai").count("gpt-4.1"), 1u);
    const model_pricing& price = cfg_->pricing.at("openai").at("gpt-4.1");
    EXPECT_EQ(price.input_per_1m_tokens, 2000000);
    EXPECT_EQ(price.output_per_1m_tokens, 8000000);
    EXPECT_FALSE(price.cached_input_per_1m_tokens.has_value());
    EXPECT_EQ(price.cache_write_per_1m_tokens, 3);
    EXPECT_EQ(price.reasoning_per_1m_tokens, 4);

    EXPECT_EQ(cfg_->observability.logging.level, "debug");
    EXPECT_EQ(cfg_->observability.logging.format, log_format::json);
    EXPECT_FALSE(cfg_->observability.metrics.enabled);
    EXPECT_EQ(cfg_->observability.metrics.path, "/internal/metrics");
}

TEST(Parse, PostgresAndMemoryCache) {
    const auto cfg = parse(
        "[database]\ntype = \"postgres\"\nurl = \"postgres://u:p@db/hadrian\"\n"
        "[cache]\ntype = \"memory\"\n");
    EXPECT_EQ(cfg->database.type, database_type::postgres);
    EXPECT_EQ(cfg->database.url, "postgres://u:p@db/hadrian");
    EXPECT_EQ(cfg->cache.type, cache_type::memory);
}

TEST(Parse, FallbacksToDisabledProvidersAreDropped) {
    const auto cfg = parse(R"(
[providers.a]
type = "test"
fallback_providers = ["off", "b"]
model_fallbacks.m = [{ model = "x", provider = "off" }]
model_fallbacks.n = [{ model = "y", provider = "off" }, { model = "z", provider = "a" }]

[providers.b]
type = "test"

[providers.off]
type = "open_ai"
enabled = "if_api_key"
api_key = ""
)");
    const provider_config* a = cfg->providers.find("a");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->fallback_providers, (std::vector<std::string>{"b"}));
    EXPECT_EQ(a->model_fallbacks.count("m"), 0u);
    ASSERT_EQ(a->model_fallbacks.count("n"), 1u);
    ASSERT_EQ(a->model_fallbacks.at("n").size(), 1u);
    EXPECT_EQ(a->model_fallbacks.at("n")[0].model, "z");
    EXPECT_EQ(a->model_fallbacks.at("n")[0].provider, "");  // itself: same provider
    EXPECT_EQ(cfg->providers.disabled, (std::vector<std::string>{"off"}));
}

TEST(Parse, IfApiKeyKeepsProviderWithKey) {
    const auto cfg =
        parse("[providers.o]\ntype = \"open_ai\"\nenabled = \"if_api_key\"\napi_key = \"sk\"\n");
    ASSERT_NE(cfg->providers.find("o"), nullptr);
    EXPECT_TRUE(cfg->providers.disabled.empty());
}

}  // namespace
}  // namespace hadrian::config
