// core::send_batching: sends are held back only from the threshold of requests in progress on,
// and a held send resumes after the handlers that were ready, not before them.
#include "hadrian/core/send_batching.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <optional>
#include <vector>

namespace hadrian::core {
namespace {

/// Restores the process-wide threshold after each test.
class SendBatching : public ::testing::Test {
protected:
    void TearDown() override { send_batching::set_threshold(0); }
};

TEST_F(SendBatching, BusyFromTheThresholdOfRequestsInProgress) {
    send_batching::set_threshold(2);
    EXPECT_FALSE(send_batching::busy());
    std::optional<send_batching::request_scope> first;
    first.emplace();
    EXPECT_FALSE(send_batching::busy());
    {
        const send_batching::request_scope second;
        EXPECT_TRUE(send_batching::busy());
    }
    EXPECT_FALSE(send_batching::busy()) << "a finished request no longer counts";
    first.reset();
}

TEST_F(SendBatching, ThresholdZeroNeverHoldsBack) {
    send_batching::set_threshold(0);
    const send_batching::request_scope a;
    const send_batching::request_scope b;
    EXPECT_FALSE(send_batching::busy());
}

TEST_F(SendBatching, EndOfTurnResumesAfterTheHandlersReadyBeforeIt) {
    asio::io_context io;
    std::vector<int> order;
    asio::co_spawn(
        io,
        [&]() -> awaitable<void> {
            order.push_back(1);
            co_await end_of_turn();
            order.push_back(3);
        },
        asio::detached);
    // Queued behind the coroutine's start: without the hold it would run after `3`.
    asio::post(io, [&] { order.push_back(2); });
    io.run();
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

}  // namespace
}  // namespace hadrian::core
