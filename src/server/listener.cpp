#include "hadrian/server/listener.hpp"

#include "hadrian/core/socket_read.hpp"

namespace hadrian::server {

void open_listener(boost::asio::ip::tcp::acceptor& acceptor,
                   const boost::asio::ip::tcp::endpoint& endpoint) {
    using tcp = boost::asio::ip::tcp;
    acceptor.open(endpoint.protocol());
    acceptor.set_option(boost::asio::socket_base::reuse_address(true));
    acceptor.set_option(tcp::no_delay(true));
    core::enable_read_hints(acceptor.native_handle());
    acceptor.bind(endpoint);
    acceptor.listen(boost::asio::socket_base::max_listen_connections);
}

}  // namespace hadrian::server
