// A tiny scripted HTTP/1.1 upstream on 127.0.0.1:0 for the upstream client's tests: plain or
// TLS, counting accepts, requests and closes, and replying with byte-exact parts and delays.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hadrian/core/asio.hpp"

namespace hadrian::upstream::testing {

using namespace std::chrono_literals;

/// Bytes written as one write, after `delay`.
struct reply_part {
    std::string bytes;
    std::chrono::milliseconds delay{0};
};

/// What the server does with one request.
struct reply {
    std::vector<reply_part> parts;
    bool close_after = false;  // close the connection after the parts
    bool stall = false;        // after the parts, write nothing more until the client closes
};

/// A request as the server read it (header names lower-cased).
struct seen_request {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;
    std::string body;
};

/// "HTTP/1.1 <status> X\r\nContent-Length: n\r\n<extra>\r\n<body>" as one part.
reply content_reply(std::string body, int status = 200, std::string extra_headers = {});
/// Header with Transfer-Encoding: chunked, then one part per chunk (each after `delay`), then
/// the last chunk.
reply chunked_reply(const std::vector<std::string>& chunks, std::chrono::milliseconds delay);

/// Thread safety: the server runs on its own thread; every accessor may be called from any
/// thread. Lifetime: stops (closing every connection) in its destructor.
class fake_server {
public:
    using responder = std::function<reply(const seen_request&, std::size_t index)>;

    /// Listens on 127.0.0.1:0; `tls` (optional) makes it a TLS server.
    explicit fake_server(responder respond, asio::ssl::context* tls = nullptr);
    ~fake_server();
    fake_server(const fake_server&) = delete;
    fake_server& operator=(const fake_server&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    /// "http://127.0.0.1:<port><path>" (https when TLS), or with another host name.
    std::string url(std::string_view path = "/", std::string_view host = "127.0.0.1") const;

    std::size_t accepts() const noexcept { return accepts_; }
    std::size_t requests() const noexcept { return requests_; }
    std::size_t parts_sent() const noexcept { return parts_sent_; }
    std::size_t peer_closes() const noexcept { return peer_closes_; }      // client went away
    std::size_t server_closes() const noexcept { return server_closes_; }  // close_after
    std::size_t tls_failures() const noexcept { return tls_failures_; }
    std::vector<seen_request> seen() const;
    /// Server names (SNI) of the TLS handshakes so far ("" when none was sent).
    std::vector<std::string> server_names() const;

    /// Waits until `done()` holds (re-checked on every server event), at most `timeout`.
    bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds timeout = 5s);

private:
    awaitable<void> accept_loop();
    awaitable<void> serve(asio::ip::tcp::socket socket);
    template <class Stream>
    awaitable<void> serve_stream(Stream& stream);
    void bump(std::atomic<std::size_t>& counter);

    responder respond_;
    asio::ssl::context* tls_;
    asio::io_context ioc_;
    asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::atomic<std::size_t> accepts_{0};
    std::atomic<std::size_t> requests_{0};
    std::atomic<std::size_t> parts_sent_{0};
    std::atomic<std::size_t> peer_closes_{0};
    std::atomic<std::size_t> server_closes_{0};
    std::atomic<std::size_t> tls_failures_{0};
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<seen_request> seen_;
    std::vector<std::string> server_names_;
    std::thread thread_;
};

}  // namespace hadrian::upstream::testing
