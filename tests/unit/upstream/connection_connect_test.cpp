// connection::connect: each address in turn, and a plain socket non-blocking from the start.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdint>
#include <vector>

#include "upstream/connection.hpp"

namespace hadrian::upstream {
namespace {

using tcp = asio::ip::tcp;

const asio::ip::address loopback = asio::ip::make_address("127.0.0.1");

/// A port nothing listens on (bound, then released).
std::uint16_t closed_port() {
    asio::io_context ioc;
    tcp::acceptor probe(ioc, {loopback, 0});
    return probe.local_endpoint().port();
}

/// `connection::connect` to `endpoints` (resolver results in this order), run to the end.
error_code connect(asio::io_context& ioc, connection& conn, const std::vector<tcp::endpoint>& eps) {
    const auto results =
        tcp::resolver::results_type::create(eps.begin(), eps.end(), "127.0.0.1", "0");
    conn.expires_at(clock::now() + std::chrono::seconds(10));
    auto done = asio::co_spawn(ioc, conn.connect(results), asio::use_future);
    ioc.run();
    return done.get();
}

TEST(UpstreamConnect, ARefusedAddressFallsToTheNext) {
    asio::io_context ioc;
    tcp::acceptor listening(ioc, {loopback, 0});
    const std::uint16_t port = listening.local_endpoint().port();
    connection conn(ioc.get_executor(), pool_key{false, "127.0.0.1", port});
    const error_code ec = connect(ioc, conn, {{loopback, closed_port()}, {loopback, port}});
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(conn.tcp().socket().remote_endpoint().port(), port);
    // Set before the connect, so that no read or write ever blocks the event loop.
    EXPECT_TRUE(conn.tcp().socket().non_blocking());
}

TEST(UpstreamConnect, EveryAddressRefusedGivesTheLastError) {
    asio::io_context ioc;
    connection conn(ioc.get_executor(), pool_key{false, "127.0.0.1", 1});
    const error_code ec =
        connect(ioc, conn, {{loopback, closed_port()}, {loopback, closed_port()}});
    EXPECT_EQ(ec, asio::error::connection_refused) << ec.message();
}

TEST(UpstreamConnect, NoAddressIsNotFound) {
    asio::io_context ioc;
    connection conn(ioc.get_executor(), pool_key{false, "127.0.0.1", 1});
    const error_code ec = connect(ioc, conn, {});
    EXPECT_EQ(ec, asio::error::not_found) << ec.message();
}

}  // namespace
}  // namespace hadrian::upstream
