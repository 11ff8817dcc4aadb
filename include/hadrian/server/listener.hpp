/// The listening socket, set up so that the sockets it accepts need no set-up of their own.
#pragma once

#include <boost/asio/ip/tcp.hpp>

namespace hadrian::server {

/// Opens, binds and listens on `endpoint`, with options Linux copies to every accepted
/// socket: TCP_NODELAY (answers and stream events go out at once, never held for an ACK)
/// and TCP_INQ (reads learn when they left the socket empty, `core::async_read_some`).
/// Set once here, they cost no system call per connection. Throws on failure.
void open_listener(boost::asio::ip::tcp::acceptor& acceptor,
                   const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace hadrian::server
