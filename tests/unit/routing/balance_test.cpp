#include "hadrian/routing/balance.hpp"

#include <gtest/gtest.h>

#include <map>

namespace hadrian::routing {
namespace {

using config::balance_strategy;
using order = std::vector<std::size_t>;

TEST(MemberOrder, WeightedDrawFollowsTheWeights) {
    const std::vector<member_state> m = {{1, true, 0}, {3, true, 0}};
    // Total weight 4: [0, 0.25) draws member 0, [0.25, 1) member 1.
    EXPECT_EQ(member_order(balance_strategy::weighted, m, 0.0), (order{0, 1}));
    EXPECT_EQ(member_order(balance_strategy::weighted, m, 0.24), (order{0, 1}));
    EXPECT_EQ(member_order(balance_strategy::weighted, m, 0.26), (order{1, 0}));
    EXPECT_EQ(member_order(balance_strategy::weighted, m, 0.999), (order{1, 0}));
}

TEST(MemberOrder, WeightedShareOverManyDraws) {
    const std::vector<member_state> m = {{1, true, 0}, {2, true, 0}, {1, true, 0}};
    std::map<std::size_t, int> first;
    for (int i = 0; i < 1000; ++i) {
        first[member_order(balance_strategy::weighted, m, (i + 0.5) / 1000.0).front()]++;
    }
    EXPECT_EQ(first[0], 250);
    EXPECT_EQ(first[1], 500);
    EXPECT_EQ(first[2], 250);
}

TEST(MemberOrder, UnhealthyMembersGoLastInConfigurationOrder) {
    const std::vector<member_state> m = {{5, false, 0}, {1, true, 0}, {2, true, 0}, {9, false, 0}};
    const auto o = member_order(balance_strategy::weighted, m, 0.0);
    EXPECT_EQ(o, (order{1, 2, 0, 3}));  // drawn first: 1; then by weight; then unhealthy
    EXPECT_EQ(member_order(balance_strategy::weighted, {{1, false, 0}, {1, false, 0}}, 0.5),
              (order{0, 1}));
}

TEST(MemberOrder, LeastInFlightPerUnitOfWeight) {
    // 4 in flight on weight 4 (1 per unit) beats 2 on weight 1.
    const std::vector<member_state> m = {{1, true, 2}, {4, true, 4}, {1, true, 3}};
    EXPECT_EQ(member_order(balance_strategy::least_in_flight, m, 0.9).front(), 1u);
    EXPECT_EQ(member_order(balance_strategy::least_in_flight, m, 0.0).front(), 1u);
}

TEST(MemberOrder, LeastInFlightTiesAreDrawnByWeight) {
    const std::vector<member_state> m = {{1, true, 0}, {1, true, 0}, {1, true, 5}};
    EXPECT_EQ(member_order(balance_strategy::least_in_flight, m, 0.1).front(), 0u);
    EXPECT_EQ(member_order(balance_strategy::least_in_flight, m, 0.9).front(), 1u);
    // The busy member is never chosen while an idle one is healthy.
    for (double r : {0.0, 0.3, 0.6, 0.99}) {
        EXPECT_NE(member_order(balance_strategy::least_in_flight, m, r).front(), 2u);
    }
}

config::providers_config pool_config() {
    config::providers_config p;
    config::provider_config a;
    a.name = "a";
    config::provider_config b;
    b.name = "b";
    b.model_aliases["fast"] = "b-fast";
    config::provider_config c;
    c.name = "c";
    c.allowed_models = {"other"};
    config::provider_config pool;
    pool.name = "pool";
    pool.type = config::provider_type::pool;
    pool.members = {{"a", 1}, {"b", 1}, {"c", 1}};
    config::provider_config d;
    d.name = "d";
    p.entries = {a, b, c, pool, d};
    return p;
}

TEST(ExpandPools, MembersReplaceThePoolWithTheirOwnAliases) {
    const auto cfg = pool_config();
    const router r(cfg);
    std::vector<route> chain = {{"pool", "fast", "pool/fast"}, {"d", "x", "d/x"}};
    auto healthy = [](const std::string&) { return member_state{}; };
    const auto out = expand_pools(r, cfg, chain, healthy, 0.9);  // draws b
    ASSERT_EQ(out.size(), 3u);  // c does not serve "fast" (allowed_models)
    EXPECT_EQ(out[0].provider, "b");
    EXPECT_EQ(out[0].model, "b-fast");
    EXPECT_EQ(out[0].requested, "pool/fast");
    EXPECT_EQ(out[1].provider, "a");
    EXPECT_EQ(out[1].model, "fast");
    EXPECT_EQ(out[2].provider, "d");
}

TEST(ExpandPools, OpenCircuitMembersComeLast) {
    const auto cfg = pool_config();
    const router r(cfg);
    std::vector<route> chain = {{"pool", "other", "pool/other"}};
    auto state = [](const std::string& name) {
        member_state s;
        s.healthy = name != "a";
        return s;
    };
    const auto out = expand_pools(r, cfg, chain, state, 0.0);
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].provider, "b");
    EXPECT_EQ(out[1].provider, "c");
    EXPECT_EQ(out[2].provider, "a");
}

TEST(ExpandPools, ASingleRouteToAProviderIsKeptAsItIs) {
    const auto cfg = pool_config();
    const router r(cfg);
    std::vector<route> chain = {{"d", "x", "d/x"}};
    auto healthy = [](const std::string&) { return member_state{}; };
    const auto out = expand_pools(r, cfg, chain, healthy, 0.0);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].provider, "d");
    EXPECT_EQ(out[0].model, "x");
    EXPECT_EQ(out[0].requested, "d/x");
}

TEST(ExpandPools, DuplicatesDroppedAndCapped) {
    const auto cfg = pool_config();
    const router r(cfg);
    std::vector<route> chain = {{"a", "m", "a/m"}, {"pool", "m", "pool/m"}};
    auto healthy = [](const std::string&) { return member_state{}; };
    const auto out = expand_pools(r, cfg, chain, healthy, 0.0);
    ASSERT_EQ(out.size(), 2u);  // a/m once; c refuses m
    EXPECT_EQ(out[0].provider, "a");
    EXPECT_EQ(out[1].provider, "b");
}

}  // namespace
}  // namespace hadrian::routing
