// Scripted fake upstream: one io_context on its own thread, a coroutine per connection.
#include "fake_server.hpp"

#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cctype>
#include <cstdio>

namespace hadrian::upstream::testing {

reply content_reply(std::string body, int status, std::string extra_headers) {
    std::string bytes = "HTTP/1.1 " + std::to_string(status) +
                        " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
                        extra_headers + "\r\n" + body;
    return reply{{reply_part{std::move(bytes)}}};
}

reply chunked_reply(const std::vector<std::string>& chunks, std::chrono::milliseconds delay) {
    reply r;
    r.parts.push_back(
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"});
    for (const auto& chunk : chunks) {
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
        r.parts.push_back({size + chunk + "\r\n", delay});
    }
    r.parts.push_back({"0\r\n\r\n", delay});
    return r;
}

fake_server::fake_server(responder respond, asio::ssl::context* tls)
    : respond_(std::move(respond)),
      tls_(tls),
      acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(ioc_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { ioc_.run(); });
}

fake_server::~fake_server() {
    ioc_.stop();
    thread_.join();
}

std::string fake_server::url(std::string_view path, std::string_view host) const {
    return std::string(tls_ != nullptr ? "https://" : "http://") + std::string(host) + ":" +
           std::to_string(port_) + std::string(path);
}

std::vector<seen_request> fake_server::seen() const {
    const std::lock_guard lock(mutex_);
    return seen_;
}

std::vector<std::string> fake_server::server_names() const {
    const std::lock_guard lock(mutex_);
    return server_names_;
}

bool fake_server::wait_for(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, done);
}

void fake_server::bump(std::atomic<std::size_t>& counter) {
    {
        const std::lock_guard lock(mutex_);
        ++counter;
    }
    changed_.notify_all();
}

awaitable<void> fake_server::accept_loop() {
    for (;;) {
        auto [ec, socket] = co_await acceptor_.async_accept(use_nothrow);
        if (ec) {
            co_return;
        }
        bump(accepts_);
        asio::co_spawn(ioc_, serve(std::move(socket)), asio::detached);
    }
}

awaitable<void> fake_server::serve(asio::ip::tcp::socket socket) {
    if (tls_ == nullptr) {
        co_await serve_stream(socket);
        co_return;
    }
    asio::ssl::stream<asio::ip::tcp::socket> stream(std::move(socket), *tls_);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_nothrow);
    {
        const char* name = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
        const std::lock_guard lock(mutex_);
        server_names_.emplace_back(name != nullptr ? name : "");
    }
    if (ec) {
        bump(tls_failures_);
        co_return;
    }
    co_await serve_stream(stream);
}

template <class Stream>
awaitable<void> fake_server::serve_stream(Stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_nothrow);
        if (ec) {
            bump(peer_closes_);
            co_return;
        }
        const auto& message = parser.get();
        seen_request seen{std::string(message.method_string()),
                          std::string(message.target()),
                          {},
                          message.body()};
        for (const auto& field : message) {
            std::string name(field.name_string());
            for (char& c : name) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            seen.headers[name] = std::string(field.value());
        }
        std::size_t index = 0;
        {
            const std::lock_guard lock(mutex_);
            index = seen_.size();
            seen_.push_back(seen);
        }
        const reply r = respond_(seen, index);
        bump(requests_);

        for (const auto& part : r.parts) {
            if (part.delay.count() > 0) {
                asio::steady_timer timer(stream.get_executor(), part.delay);
                co_await timer.async_wait(use_nothrow);
            }
            auto [wec, written] =
                co_await asio::async_write(stream, asio::buffer(part.bytes), use_nothrow);
            if (wec) {
                bump(peer_closes_);
                co_return;
            }
            bump(parts_sent_);
        }
        if (r.stall) {
            char byte = 0;
            for (;;) {
                auto [rec, got] =
                    co_await stream.async_read_some(asio::buffer(&byte, 1), use_nothrow);
                if (rec) {
                    break;
                }
            }
            bump(peer_closes_);
            co_return;
        }
        if (r.close_after) {
            error_code ignored;
            auto& socket = beast::get_lowest_layer(stream);
            socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
            socket.close(ignored);
            bump(server_closes_);
            co_return;
        }
    }
}

}  // namespace hadrian::upstream::testing
