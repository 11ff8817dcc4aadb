#include "hadrian/routing/fallback_chain.hpp"

#include <gtest/gtest.h>

namespace hadrian::routing {
namespace {

config::providers_config providers() {
    config::providers_config p;
    p.default_provider = "anthropic";
    config::provider_config anthropic;
    anthropic.name = "anthropic";
    anthropic.type = config::provider_type::anthropic;
    anthropic.fallback_providers = {"bedrock"};
    anthropic.model_fallbacks["claude"] = {{"gpt-4o", "openai"}, {"claude-haiku", ""}};
    config::provider_config openai;
    openai.name = "openai";
    config::provider_config bedrock;
    bedrock.name = "bedrock";
    bedrock.type = config::provider_type::bedrock;
    p.entries = {anthropic, openai, bedrock};
    return p;
}

std::vector<std::string> names(const std::vector<route>& chain) {
    std::vector<std::string> out;
    for (const auto& c : chain) {
        out.push_back(c.provider + "/" + c.model);
    }
    return out;
}

struct row {
    std::vector<std::string> requested;
    provider_preferences prefs;
    std::vector<std::string> expected;
};

TEST(FallbackChain, Table) {
    const auto cfg = providers();
    const router r(cfg);
    const row rows[] = {
        {{"anthropic/claude"},
         {},
         {"anthropic/claude", "openai/gpt-4o", "anthropic/claude-haiku", "bedrock/claude"}},
        {{"openai/gpt-4o", "anthropic/claude"}, {}, {"openai/gpt-4o", "anthropic/claude"}},
        {{"anthropic/claude"}, {{}, {}, {}, false}, {"anthropic/claude"}},
        {{"anthropic/claude"},
         {{}, {"anthropic"}, {}, true},
         {"anthropic/claude", "anthropic/claude-haiku"}},
        {{"anthropic/claude"},
         {{}, {}, {"openai"}, true},
         {"anthropic/claude", "anthropic/claude-haiku", "bedrock/claude"}},
        {{"anthropic/claude"},
         {{"bedrock", "openai"}, {}, {}, true},
         {"bedrock/claude", "openai/gpt-4o", "anthropic/claude", "anthropic/claude-haiku"}},
        {{"anthropic/x", "anthropic/x", "openai/x"}, {}, {"anthropic/x", "openai/x", "bedrock/x"}},
        {{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"},
         {},
         {"anthropic/a1", "anthropic/a2", "anthropic/a3", "anthropic/a4", "anthropic/a5", "anthropic/a6", "anthropic/a7", "anthropic/a8"}},
    };
    for (const auto& rw : rows) {
        std::vector<route> requested;
        for (const auto& m : rw.requested) {
            auto resolved = r.resolve(m);
            ASSERT_TRUE(resolved) << m;
            requested.push_back(*resolved);
        }
        // The router's own candidates() de-duplicates; build_chain must too.
        EXPECT_EQ(names(build_chain(r, cfg, requested, rw.prefs)), rw.expected)
            << rw.requested.front();
    }
}

}  // namespace
}  // namespace hadrian::routing
