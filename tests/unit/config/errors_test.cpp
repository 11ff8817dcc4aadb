// Bad configurations are rejected with a message that names the key path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hadrian/config/config.hpp"

namespace hadrian::config {
namespace {

using ::testing::HasSubstr;

struct bad_case {
    const char* name;
    const char* toml;
    std::vector<const char*> expected;  // substrings of the message
};

std::ostream& operator<<(std::ostream& os, const bad_case& c) { return os << c.name; }

const std::vector<bad_case> bad_cases = {
    {"unknown_top_level", "serverr = 1\n", {"unknown key 'serverr'"}},
    {"unknown_top_level_table", "[logging]\nlevel = \"info\"\n", {"unknown key 'logging'"}},
    {"unknown_in_server", "[server]\nport = 1\nprot = 8080\n", {"unknown key 'server.prot'"}},
    {"unknown_in_provider",
     "[providers.p]\ntype = \"test\"\napi_kee = \"x\"\n",
     {"unknown key 'providers.p.api_kee'"}},
    {"unknown_in_provider_retry",
     "[providers.p]\ntype = \"test\"\n[providers.p.retry]\nmax_retry = 3\n",
     {"unknown key 'providers.p.retry.max_retry'"}},
    {"unknown_in_circuit_breaker",
     "[providers.p]\ntype = \"test\"\n[providers.p.circuit_breaker]\nthreshold = 3\n",
     {"unknown key 'providers.p.circuit_breaker.threshold'"}},
    {"unknown_in_model_price",
     "[providers.p]\ntype = \"open_ai\"\n[providers.p.models.\"gpt-4.1\"]\ninput = 1\n",
     {"unknown key 'providers.p.models.\"gpt-4.1\".input'"}},
    {"unknown_in_model_fallback_target",
     "[providers.p]\ntype = \"test\"\nmodel_fallbacks.m = [{ model = \"x\", prov = \"p\" }]\n",
     {"unknown key 'providers.p.model_fallbacks.m[0].prov'"}},
    {"unknown_in_ip_rate_limits",
     "[limits.rate_limits.ip_rate_limits]\nrequests_per_hour = 3\n",
     {"unknown key 'limits.rate_limits.ip_rate_limits.requests_per_hour'"}},
    {"unknown_in_logging",
     "[observability.logging]\nlevl = \"info\"\n",
     {"unknown key 'observability.logging.levl'"}},
    {"port_wrong_type",
     "[server]\nport = \"8080\"\n",
     {"server.port: expected an integer in 1..65535, got a string"}},
    {"port_float",
     "[server]\nport = 80.5\n",
     {"server.port: expected an integer in 1..65535, got a float"}},
    {"port_too_big",
     "[server]\nport = 70000\n",
     {"server.port: expected an integer in 1..65535, got 70000"}},
    {"port_zero", "[server]\nport = 0\n", {"server.port: expected an integer in 1..65535"}},
    {"host_wrong_type", "[server]\nhost = 127\n", {"server.host: expected a string"}},
    {"server_not_table", "server = 1\n", {"server: expected a table, got an integer"}},
    {"timeout_zero",
     "[server]\ntimeout_secs = 0\n",
     {"server.timeout_secs: expected an integer in 1..4294967295"}},
    {"timeout_negative",
     "[server]\nheader_read_timeout_secs = -1\n",
     {"server.header_read_timeout_secs: expected an integer in 1.."}},
    {"body_limit_too_small",
     "[server]\nbody_limit_bytes = 100\n",
     {"server.body_limit_bytes: expected an integer in 1024..1073741824"}},
    {"body_limit_too_big",
     "[server]\nbody_limit_bytes = 2_000_000_000\n",
     {"server.body_limit_bytes: expected an integer in 1024..1073741824"}},
    {"max_header_bytes_too_big",
     "[server]\nmax_header_bytes = 2_000_000\n",
     {"server.max_header_bytes: expected an integer in 1024..1048576"}},
    {"threads_too_many",
     "[server]\nthreads = 257\n",
     {"server.threads: expected an integer in 0..256"}},
    {"trusted_proxy_not_cidr",
     "[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"10.0.0.0/33\"]\n",
     {"server.trusted_proxies[1]: expected an IP address or CIDR"}},
    {"trusted_proxies_not_array",
     "[server]\ntrusted_proxies = \"10.0.0.1\"\n",
     {"server.trusted_proxies: expected an array of strings"}},
    {"tls_without_key", "[server.tls]\ncert_path = \"c.pem\"\n", {"server.tls.key_path: required"}},
    {"cors_bad_origin",
     "[server.cors]\nenabled = true\nallowed_origins = [\"example.com\"]\n",
     {"server.cors.allowed_origins[0]"}},
    {"cors_enabled_without_origins",
     "[server.cors]\nenabled = true\n",
     {"server.cors.allowed_origins: required"}},
    {"bool_wrong_type",
     "[observability.metrics]\nenabled = \"yes\"\n",
     {"observability.metrics.enabled: expected a boolean"}},
    {"metrics_path_relative",
     "[observability.metrics]\npath = \"metrics\"\n",
     {"observability.metrics.path"}},
    {"bad_log_level",
     "[observability.logging]\nlevel = \"verbose\"\n",
     {"observability.logging.level: expected one of", "\"verbose\""}},
    {"bad_log_format",
     "[observability.logging]\nformat = \"xml\"\n",
     {"observability.logging.format: expected one of \"text\", \"json\", got \"xml\""}},
    {"bad_database_type",
     "[database]\ntype = \"mysql\"\n",
     {"database.type: expected one of \"none\", \"sqlite\", \"postgres\""}},
    {"database_without_type", "[database]\npath = \"x.db\"\n", {"database.type: required"}},
    {"sqlite_without_path", "[database]\ntype = \"sqlite\"\n", {"database.path: required"}},
    {"postgres_without_url", "[database]\ntype = \"postgres\"\n", {"database.url: required"}},
    {"sqlite_with_url",
     "[database]\ntype = \"sqlite\"\npath = \"a.db\"\nurl = \"postgres://x\"\n",
     {"database.url: only valid with type = \"postgres\""}},
    {"redis_without_url", "[cache]\ntype = \"redis\"\n", {"cache.url: required"}},
    {"bad_auth_mode", "[auth.mode]\ntype = \"oauth\"\n", {"auth.mode.type: expected one of"}},
    {"default_provider_not_configured",
     "[providers]\ndefault_provider = \"nope\"\n[providers.p]\ntype = \"test\"\n",
     {"providers.default_provider: no provider named 'nope' is configured"}},
    {"default_provider_disabled",
     "[providers]\ndefault_provider = \"o\"\n[providers.o]\ntype = \"open_ai\"\n"
     "enabled = false\n",
     {"providers.default_provider: provider 'o' is disabled"}},
    {"provider_without_type",
     "[providers.p]\napi_key = \"x\"\n",
     {"providers.p.type: required", "\"open_ai\""}},
    {"bad_provider_type",
     "[providers.p]\ntype = \"openai\"\n",
     {"providers.p.type: expected one of", "got \"openai\""}},
    {"bad_provider_name",
     "[providers.\"my provider\"]\ntype = \"test\"\n",
     {"providers.\"my provider\": provider names may only contain"}},
    {"provider_not_a_table",
     "[providers]\ndefault = \"test\"\n",
     {"providers.default: expected a provider table"}},
    {"test_key_on_open_ai",
     "[providers.o]\ntype = \"open_ai\"\nchunk_count = 3\n",
     {"providers.o.chunk_count: only valid for providers of type \"test\""}},
    {"failure_mode_on_anthropic",
     "[providers.a]\ntype = \"anthropic\"\nfailure_mode = \"timeout\"\n",
     {"providers.a.failure_mode: only valid for providers of type \"test\""}},
    {"region_on_open_ai",
     "[providers.o]\ntype = \"open_ai\"\nregion = \"x\"\n",
     {"providers.o.region: only valid for providers of type"}},
    {"bad_failure_mode",
     "[providers.t]\ntype = \"test\"\nfailure_mode = \"explode\"\n",
     {"providers.t.failure_mode: expected one of"}},
    {"chunk_count_overflows_field",
     "[providers.t]\ntype = \"test\"\nchunk_count = 5_000_000_000\n",
     {"providers.t.chunk_count: expected an integer in 1..4294967295"}},
    {"provider_timeout_zero",
     "[providers.t]\ntype = \"test\"\ntimeout_secs = 0\n",
     {"providers.t.timeout_secs: expected an integer in 1.."}},
    {"bad_base_url",
     "[providers.o]\ntype = \"open_ai\"\nbase_url = \"api.openai.com\"\n",
     {"providers.o.base_url: expected an http:// or https:// URL"}},
    {"bad_enabled",
     "[providers.o]\ntype = \"open_ai\"\nenabled = \"yes\"\n",
     {"providers.o.enabled: expected true, false or \"if_api_key\""}},
    {"headers_not_strings",
     "[providers.o]\ntype = \"open_ai\"\nheaders = { X-A = 1 }\n",
     {"providers.o.headers.X-A: expected a string, got an integer"}},
    {"bad_header_name",
     "[providers.o]\ntype = \"open_ai\"\nheaders = { \"X A\" = \"1\" }\n",
     {"providers.o.headers.\"X A\": not a valid HTTP header name"}},
    {"allowed_models_not_strings",
     "[providers.o]\ntype = \"open_ai\"\nallowed_models = [1]\n",
     {"providers.o.allowed_models[0]: expected a string"}},
    {"retry_jitter_out_of_range",
     "[providers.p]\ntype = \"test\"\n[providers.p.retry]\njitter = 2.0\n",
     {"providers.p.retry.jitter: expected a number in 0.0..1.0, got 2.0"}},
    {"retry_status_out_of_range",
     "[providers.p]\ntype = \"test\"\n[providers.p.retry]\nretryable_status_codes = [99]\n",
     {"providers.p.retry.retryable_status_codes[0]: expected an integer in 100..599"}},
    {"retry_max_below_initial",
     "[providers.p]\ntype = \"test\"\n[providers.p.retry]\ninitial_delay_ms = 500\n"
     "max_delay_ms = 100\n",
     {"providers.p.retry.max_delay_ms"}},
    {"fallback_provider_unknown",
     "[providers.p]\ntype = \"test\"\nfallback_providers = [\"ghost\"]\n",
     {"providers.p.fallback_providers[0]: no provider named 'ghost' is configured"}},
    {"fallback_to_self",
     "[providers.p]\ntype = \"test\"\nfallback_providers = [\"p\"]\n",
     {"providers.p.fallback_providers[0]: a provider cannot fall back to itself"}},
    {"model_fallback_without_model",
     "[providers.p]\ntype = \"test\"\nmodel_fallbacks.m = [{ provider = \"p\" }]\n",
     {"providers.p.model_fallbacks.m[0].model: required"}},
    {"model_fallback_unknown_provider",
     "[providers.p]\ntype = \"test\"\nmodel_fallbacks.m = [{ model = \"x\", provider = \"q\" }]\n",
     {"providers.p.model_fallbacks.m[0].provider: no provider named 'q'"}},
    {"bedrock_without_region",
     "[providers.b]\ntype = \"bedrock\"\n",
     {"providers.b.region: required"}},
    {"bedrock_service_account",
     "[providers.b]\ntype = \"bedrock\"\nregion = \"us-east-1\"\n"
     "credentials = { type = \"service_account\", key_path = \"k.json\" }\n",
     {"providers.b.credentials.type: expected one of \"static\", \"env\""}},
    {"static_credentials_without_secret",
     "[providers.b]\ntype = \"bedrock\"\nregion = \"us-east-1\"\n"
     "[providers.b.credentials]\ntype = \"static\"\naccess_key_id = \"A\"\n",
     {"providers.b.credentials.secret_access_key: required"}},
    {"azure_without_resource",
     "[providers.z]\ntype = \"azure_open_ai\"\napi_key = \"k\"\n",
     {"providers.z.resource_name: required"}},
    {"vertex_without_project",
     "[providers.v]\ntype = \"vertex\"\n",
     {"providers.v.project: required"}},
    {"negative_price",
     "[pricing.openai.\"gpt-4o\"]\ninput_per_1m_tokens = -1\n",
     {"pricing.openai.gpt-4o.input_per_1m_tokens: expected an integer in 0.."}},
    {"bad_pricing_provider_name",
     "[pricing.\"a b\".m]\ninput_per_1m_tokens = 1\n",
     {"pricing.\"a b\": provider names"}},
    {"rate_limit_zero",
     "[limits.rate_limits]\nrequests_per_minute = 0\n",
     {"limits.rate_limits.requests_per_minute: expected an integer in 1.."}},
    {"budget_threshold_too_big",
     "[limits.budgets]\nwarning_threshold = 1.5\n",
     {"limits.budgets.warning_threshold: expected a number in 0.0..1.0"}},
    {"toml_syntax_error", "[server]\nport = = 1\n", {"hadrian.toml:2:", "TOML syntax error"}},
    {"duplicate_key", "[server]\nport = 1\nport = 2\n", {"TOML syntax error"}},
};

class BadConfig : public ::testing::TestWithParam<bad_case> {};

TEST_P(BadConfig, MessageNamesTheKeyPath) {
    const bad_case& c = GetParam();
    try {
        parse(c.toml);
        FAIL() << "accepted:\n" << c.toml;
    } catch (const config_error& e) {
        for (const char* expected : c.expected) {
            EXPECT_THAT(e.what(), HasSubstr(expected));
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Cases, BadConfig, ::testing::ValuesIn(bad_cases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(BadConfigPosition, MessageStartsWithSourceLineAndColumn) {
    try {
        parse("[server]\nhost = \"x\"\nport = 70000\n", "gw.toml");
        FAIL();
    } catch (const config_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("gw.toml:3:8: server.port"));
    }
    try {
        parse("[server]\n  prot = 1\n", "gw.toml");
        FAIL();
    } catch (const config_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("gw.toml:2:3: unknown key 'server.prot'"));
    }
}

TEST(BadConfigPosition, FirstUnknownKeyInFileOrderIsReported) {
    try {
        parse("[server]\nzzz = 1\naaa = 2\n");
        FAIL();
    } catch (const config_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("'server.zzz'"));
    }
}

TEST(BadConfigPosition, DisabledProvidersAreStillValidated) {
    EXPECT_THROW(parse("[providers.o]\ntype = \"open_ai\"\nenabled = false\ntimeout_secs = 0\n"),
                 config_error);
}

}  // namespace
}  // namespace hadrian::config
