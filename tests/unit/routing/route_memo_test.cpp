// The memo of plain requests' chains: kept once per model string, shared, bounded.
#include "hadrian/routing/route_memo.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace hadrian::routing {
namespace {

std::vector<route> chain_of(const std::string& model) {
    return {{"p", model, "p/" + model}, {"fallback", model, "p/" + model}};
}

TEST(RouteMemo, KeepsAChainPerModelAndSharesIt) {
    route_memo memo;
    EXPECT_EQ(memo.find("p/a"), nullptr);
    const auto kept = memo.remember("p/a", chain_of("a"));
    ASSERT_NE(kept, nullptr);
    EXPECT_EQ(kept->size(), 2u);
    EXPECT_EQ(kept->front().model, "a");
    EXPECT_EQ(memo.find("p/a"), kept);  // the same chain, not a copy
    EXPECT_EQ(memo.find("p/b"), nullptr);
    EXPECT_EQ(memo.find("p/a "), nullptr);
    // A chain built again for a kept model (another thread's, first) is the kept one.
    EXPECT_EQ(memo.remember("p/a", chain_of("other")), kept);
    EXPECT_EQ(memo.find("p/a")->front().model, "a");
    EXPECT_EQ(memo.size(), 1u);
}

TEST(RouteMemo, KeepsNoMoreThanItsCapacity) {
    route_memo memo(2);
    memo.remember("p/a", chain_of("a"));
    memo.remember("p/b", chain_of("b"));
    const auto third = memo.remember("p/c", chain_of("c"));
    ASSERT_NE(third, nullptr);  // answered, though not kept
    EXPECT_EQ(third->front().model, "c");
    EXPECT_EQ(memo.find("p/c"), nullptr);
    EXPECT_EQ(memo.size(), 2u);
    EXPECT_EQ(memo.find("p/b")->front().model, "b");
}

TEST(RouteMemo, ThreadsFindAndRememberTheSameChains) {
    route_memo memo(64);
    std::vector<std::thread> threads;
    std::vector<int> wrong(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i) {
                const std::string model = "m" + std::to_string(i % 100);
                auto chain = memo.find(model);
                if (!chain) {
                    chain = memo.remember(model, chain_of(model));
                }
                if (chain->front().model != model) {
                    ++wrong[t];
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    EXPECT_EQ(wrong, std::vector<int>(4, 0));
    EXPECT_EQ(memo.size(), 64u);
}

}  // namespace
}  // namespace hadrian::routing
