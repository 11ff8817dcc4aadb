// Upstream connection: each operation dispatches on the stream kind (TCP or TLS) held in a
// variant, so the rest of the module never sees the difference.
#include "upstream/connection.hpp"

#include <sys/socket.h>
#include <sys/types.h>

#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>

#include "upstream/failure.hpp"

namespace hadrian::upstream {

connection::connection(const asio::any_io_executor& ex, pool_key key)
    : key_(std::move(key)), stream_(std::in_place_index<0>, ex) {}

connection::connection(const asio::any_io_executor& ex, std::shared_ptr<asio::ssl::context> ctx,
                       pool_key key)
    : key_(std::move(key)),
      tls_context_(std::move(ctx)),
      stream_(std::in_place_index<1>, ex, *tls_context_) {}

beast::tcp_stream& connection::tcp() noexcept {
    if (auto* s = std::get_if<tls_stream>(&stream_)) {
        return beast::get_lowest_layer(*s);
    }
    return std::get<beast::tcp_stream>(stream_);
}

bool connection::is_open() noexcept { return tcp().socket().is_open(); }

bool connection::idle_and_healthy() noexcept {
    if (!is_open() || buffer_.size() != 0) {
        return false;
    }
    char byte = 0;
    const ssize_t n =
        ::recv(tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT | MSG_NOSIGNAL);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void connection::close() noexcept { tcp().close(); }

awaitable<error_code> connection::connect(const asio::ip::tcp::resolver::results_type& endpoints) {
    auto [ec, endpoint] = co_await tcp().async_connect(endpoints, use_nothrow);
    if (!ec) {
        error_code ignored;
        tcp().socket().set_option(asio::ip::tcp::no_delay(true), ignored);
    }
    co_return ec;
}

awaitable<error_code> connection::handshake(const std::string& host, bool verify_peer,
                                            failure* reason) {
    auto* s = std::get_if<tls_stream>(&stream_);
    if (s == nullptr) {
        co_return error_code{};
    }
    const error_code setup = prepare_tls_stream(*s, host, verify_peer);
    if (setup) {
        *reason = provider_failure("TLS setup failed", setup);
        co_return setup;
    }
    auto [ec] = co_await s->async_handshake(asio::ssl::stream_base::client, use_nothrow);
    if (ec) {
        *reason = tls_handshake_failure(*s, ec);
    }
    co_return ec;
}

awaitable<error_code> connection::write(request_message& message) {
    if (auto* s = std::get_if<tls_stream>(&stream_)) {
        auto [ec, n] = co_await http::async_write(*s, message, use_nothrow);
        co_return ec;
    }
    auto& plain = std::get<beast::tcp_stream>(stream_);
    auto [ec, n] = co_await http::async_write(plain, message, use_nothrow);
    co_return ec;
}

awaitable<error_code> connection::read_header(response_parser& parser) {
    if (auto* s = std::get_if<tls_stream>(&stream_)) {
        auto [ec, n] = co_await http::async_read_header(*s, buffer_, parser, use_nothrow);
        co_return ec;
    }
    auto& plain = std::get<beast::tcp_stream>(stream_);
    auto [ec, n] = co_await http::async_read_header(plain, buffer_, parser, use_nothrow);
    co_return ec;
}

awaitable<error_code> connection::read_some(response_parser& parser) {
    error_code result;
    if (auto* s = std::get_if<tls_stream>(&stream_)) {
        auto [ec, n] = co_await http::async_read_some(*s, buffer_, parser, use_nothrow);
        result = ec;
    } else {
        auto& plain = std::get<beast::tcp_stream>(stream_);
        auto [ec, n] = co_await http::async_read_some(plain, buffer_, parser, use_nothrow);
        result = ec;
    }
    if (result == http::error::need_buffer) {
        result = {};
    }
    co_return result;
}

}  // namespace hadrian::upstream
