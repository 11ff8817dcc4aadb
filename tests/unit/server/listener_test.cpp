// server::open_listener: the options the gateway relies on arrive on every accepted socket
// without a system call of its own (TCP_NODELAY, TCP_INQ), and the peer's address comes
// with the accept.
#include "hadrian/server/listener.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>

namespace hadrian::server {
namespace {

using tcp = boost::asio::ip::tcp;

int int_option(int fd, int name) {
    int value = -1;
    socklen_t len = sizeof value;
    EXPECT_EQ(::getsockopt(fd, IPPROTO_TCP, name, &value, &len), 0);
    return value;
}

struct accepted {
    tcp::socket client;
    tcp::socket server;
    tcp::endpoint peer;
};

accepted connect_one(boost::asio::io_context& ioc, tcp::acceptor& acceptor) {
    accepted a{tcp::socket(ioc), tcp::socket(ioc), {}};
    a.client.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                   acceptor.local_endpoint().port()));
    acceptor.accept(a.server, a.peer);
    return a;
}

TEST(OpenListener, AcceptedSocketsHaveNoDelayAndReadHintsWithoutSettingThem) {
    boost::asio::io_context ioc;
    tcp::acceptor acceptor(ioc);
    open_listener(acceptor, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    accepted a = connect_one(ioc, acceptor);
    EXPECT_EQ(int_option(a.server.native_handle(), TCP_NODELAY), 1);
    EXPECT_EQ(int_option(a.server.native_handle(), TCP_INQ), 1);
    // The client side is not the listener's: Nagle's algorithm stays on there.
    EXPECT_EQ(int_option(a.client.native_handle(), TCP_NODELAY), 0);
}

TEST(OpenListener, TheAcceptGivesThePeersAddress) {
    boost::asio::io_context ioc;
    tcp::acceptor acceptor(ioc);
    open_listener(acceptor, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    accepted a = connect_one(ioc, acceptor);
    EXPECT_EQ(a.peer, a.client.local_endpoint());
    EXPECT_EQ(a.peer.address().to_string(), "127.0.0.1");
}

TEST(OpenListener, ABoundPortIsReportedAndABusyOneThrows) {
    boost::asio::io_context ioc;
    tcp::acceptor first(ioc);
    open_listener(first, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    const auto port = first.local_endpoint().port();
    EXPECT_NE(port, 0);
    tcp::acceptor second(ioc);
    EXPECT_THROW(
        open_listener(second, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port)),
        boost::system::system_error);
}

}  // namespace
}  // namespace hadrian::server
