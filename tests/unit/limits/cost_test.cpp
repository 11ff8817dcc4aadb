#include "hadrian/limits/cost.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace hadrian::limits {
namespace {

/// $3 / $15 per 1M tokens, in microcents per 1M tokens.
config::model_pricing sonnet_like() {
    config::model_pricing p;
    p.input_per_1m_tokens = 3'000'000;
    p.output_per_1m_tokens = 15'000'000;
    return p;
}

TEST(Cost, InputAndOutput) {
    EXPECT_EQ(cost_microcents(sonnet_like(), {1'000, 500, 0, 0, 0}), 3'000 + 7'500);
    EXPECT_EQ(cost_microcents(sonnet_like(), {}), 0);
}

TEST(Cost, CachedCacheWriteAndReasoningAtTheirOwnPrices) {
    config::model_pricing p = sonnet_like();
    p.cached_input_per_1m_tokens = 300'000;
    p.cache_write_per_1m_tokens = 3'750'000;
    // (1000 − 400 − 100)·3 + 400·0.3 + 100·3.75 + (500 − 200)·15 + 200·15 microcents
    EXPECT_EQ(cost_microcents(p, {1'000, 500, 400, 100, 200}), 1'500 + 120 + 375 + 4'500 + 3'000);
    p.reasoning_per_1m_tokens = 10'000'000;
    EXPECT_EQ(cost_microcents(p, {1'000, 500, 400, 100, 200}), 1'500 + 120 + 375 + 4'500 + 2'000);
}

TEST(Cost, UnsetOptionalPricesFallBackToInputAndOutput) {
    const config::model_pricing p = sonnet_like();
    EXPECT_EQ(cost_microcents(p, {1'000, 500, 400, 100, 200}),
              cost_microcents(p, {1'000, 500, 0, 0, 0}));
}

TEST(Cost, RoundsToTheNearestMicrocentHalvesUp) {
    config::model_pricing p;
    p.input_per_1m_tokens = 1;
    EXPECT_EQ(cost_microcents(p, {499'999, 0, 0, 0, 0}), 0);
    EXPECT_EQ(cost_microcents(p, {500'000, 0, 0, 0, 0}), 1);
    EXPECT_EQ(cost_microcents(p, {1'499'999, 0, 0, 0, 0}), 1);
    EXPECT_EQ(cost_microcents(p, {1'500'000, 0, 0, 0, 0}), 2);
}

TEST(Cost, ClipsInconsistentCountsAndNeverGoesNegative) {
    const config::model_pricing p = sonnet_like();
    // More cached than input: all input is cached (at the input price here).
    EXPECT_EQ(cost_microcents(p, {100, 0, 500, 0, 0}), 300);
    EXPECT_EQ(cost_microcents(p, {-100, -5, -1, -1, -1}), 0);
    config::model_pricing negative;
    negative.input_per_1m_tokens = -1'000'000;
    EXPECT_EQ(cost_microcents(negative, {1'000, 0, 0, 0, 0}), 0);
}

TEST(Cost, SaturatesInsteadOfOverflowing) {
    config::model_pricing p;
    p.input_per_1m_tokens = std::numeric_limits<std::int64_t>::max() / 2;
    p.output_per_1m_tokens = std::numeric_limits<std::int64_t>::max();
    constexpr std::int64_t huge = std::numeric_limits<std::int64_t>::max() / 2;
    EXPECT_EQ(cost_microcents(p, {huge, huge, 0, 0, 0}), std::numeric_limits<std::int64_t>::max());
    // Large but representable: 10^12 tokens at 10^9 microcents per 1M = 10^15.
    config::model_pricing q;
    q.input_per_1m_tokens = 1'000'000'000;
    EXPECT_EQ(cost_microcents(q, {1'000'000'000'000, 0, 0, 0, 0}), 1'000'000'000'000'000);
}

TEST(FindPricing, ProviderModelsFirstThenThePricingTable) {
    config::config cfg;
    config::provider_config openai;
    openai.name = "openai";
    openai.models["gpt-4o"].input_per_1m_tokens = 1;
    cfg.providers.entries.push_back(openai);
    cfg.pricing["openai"]["gpt-4o"].input_per_1m_tokens = 2;
    cfg.pricing["openai"]["gpt-4o-mini"].input_per_1m_tokens = 3;
    cfg.pricing["anthropic"]["claude"].input_per_1m_tokens = 4;

    const auto* a = find_pricing(cfg, "openai", "gpt-4o");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->input_per_1m_tokens, 1);
    const auto* b = find_pricing(cfg, "openai", "gpt-4o-mini");
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->input_per_1m_tokens, 3);
    const auto* c = find_pricing(cfg, "anthropic", "claude");  // not a configured provider
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->input_per_1m_tokens, 4);
    EXPECT_EQ(find_pricing(cfg, "openai", "o3"), nullptr);
    EXPECT_EQ(find_pricing(cfg, "nobody", "gpt-4o"), nullptr);
}

}  // namespace
}  // namespace hadrian::limits
