// Pools (`type = "pool"`) and health checks in the configuration.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hadrian/config/config.hpp"

namespace hadrian::config {
namespace {

using ::testing::HasSubstr;

std::string error_of(const std::string& toml) {
    try {
        parse(toml);
    } catch (const config_error& e) {
        return e.what();
    }
    return "accepted";
}

constexpr const char* two_members = R"(
[providers.a]
type = "open_ai"
[providers.b]
type = "open_ai"
enabled = "if_api_key"
[providers.gpt]
type = "pool"
strategy = "least_in_flight"
members = [{ provider = "a", weight = 3 }, { provider = "b" }]
)";

TEST(PoolConfig, MembersWeightsAndStrategy) {
    const auto cfg = parse(std::string(two_members) + "[providers.b2]\ntype = \"test\"\n");
    const auto* pool = cfg->providers.find("gpt");
    ASSERT_NE(pool, nullptr);
    EXPECT_EQ(pool->type, provider_type::pool);
    EXPECT_EQ(pool->strategy, balance_strategy::least_in_flight);
    // b is disabled (no api_key): dropped from the members.
    ASSERT_EQ(pool->members.size(), 1u);
    EXPECT_EQ(pool->members[0].provider, "a");
    EXPECT_EQ(pool->members[0].weight, 3u);
}

TEST(PoolConfig, PoolWithoutEnabledMembersIsDisabled) {
    const auto cfg = parse(R"(
[providers.b]
type = "open_ai"
enabled = false
[providers.p]
type = "pool"
members = [{ provider = "b" }]
)");
    EXPECT_EQ(cfg->providers.find("p"), nullptr);
    EXPECT_THAT(cfg->providers.disabled, ::testing::Contains("p"));
}

TEST(PoolConfig, Rejections) {
    EXPECT_THAT(error_of("[providers.p]\ntype = \"pool\"\n"),
                HasSubstr("providers.p.members: required"));
    EXPECT_THAT(error_of("[providers.p]\ntype = \"pool\"\nmembers = []\n"),
                HasSubstr("providers.p.members: expected a non-empty array"));
    EXPECT_THAT(error_of("[providers.p]\ntype = \"pool\"\nmembers = [{ provider = \"x\" }]\n"),
                HasSubstr("providers.p.members[0].provider: no provider named 'x'"));
    EXPECT_THAT(error_of("[providers.p]\ntype = \"pool\"\nmembers = [{ provider = \"p\" }]\n"),
                HasSubstr("a pool cannot be its own member"));
    EXPECT_THAT(error_of("[providers.a]\ntype = \"test\"\n[providers.p]\ntype = \"pool\"\n"
                         "members = [{ provider = \"a\" }, { provider = \"a\" }]\n"),
                HasSubstr("providers.p.members[1].provider: provider 'a' is listed twice"));
    EXPECT_THAT(error_of("[providers.a]\ntype = \"test\"\n[providers.p]\ntype = \"pool\"\n"
                         "members = [{ provider = \"a\", weight = 0 }]\n"),
                HasSubstr("providers.p.members[0].weight"));
    EXPECT_THAT(error_of("[providers.a]\ntype = \"test\"\n[providers.p]\ntype = \"pool\"\n"
                         "members = [{ provider = \"a\" }]\n[providers.q]\ntype = \"pool\"\n"
                         "members = [{ provider = \"p\" }]\n"),
                HasSubstr("'p' is a pool"));
    EXPECT_THAT(error_of("[providers.a]\ntype = \"test\"\n[providers.p]\ntype = \"pool\"\n"
                         "members = [{ provider = \"a\" }]\napi_key = \"k\"\n"),
                HasSubstr("providers.p.api_key: only valid for providers of type"));
    EXPECT_THAT(error_of("[providers.a]\ntype = \"test\"\nstrategy = \"weighted\"\n"),
                HasSubstr("providers.a.strategy: only valid for providers of type \"pool\""));
    EXPECT_THAT(error_of("[providers.a]\ntype = \"test\"\n[providers.p]\ntype = \"pool\"\n"
                         "strategy = \"fastest\"\nmembers = [{ provider = \"a\" }]\n"),
                HasSubstr("providers.p.strategy"));
}

TEST(HealthCheckConfig, TableSwitchesItOn) {
    const auto cfg = parse(R"(
[providers.a]
type = "open_ai"
fetch_models = false
models_refresh_secs = 60
[providers.a.health_check]
interval_secs = 5
timeout_secs = 2
model = "gpt-4o-mini"
[providers.b]
type = "open_ai"
)");
    const auto* a = cfg->providers.find("a");
    ASSERT_NE(a, nullptr);
    EXPECT_TRUE(a->health_check.enabled);
    EXPECT_EQ(a->health_check.interval_secs, 5u);
    EXPECT_EQ(a->health_check.timeout_secs, 2u);
    EXPECT_EQ(a->health_check.model, "gpt-4o-mini");
    EXPECT_FALSE(a->fetch_models);
    EXPECT_EQ(a->models_refresh_secs, 60u);
    const auto* b = cfg->providers.find("b");
    EXPECT_FALSE(b->health_check.enabled);
    EXPECT_TRUE(b->fetch_models);
    EXPECT_THAT(error_of("[providers.a]\ntype = \"open_ai\"\n[providers.a.health_check]\n"
                         "interval_secs = 0\n"),
                HasSubstr("providers.a.health_check.interval_secs"));
    EXPECT_THAT(error_of("[providers.a]\ntype = \"open_ai\"\n[providers.a.health_check]\n"
                         "path = \"/x\"\n"),
                HasSubstr("unknown key 'providers.a.health_check.path'"));
}

}  // namespace
}  // namespace hadrian::config
