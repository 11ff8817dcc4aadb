// One client connection: HTTP/1.1 with keep-alive, request limits, timeouts, and the response
// sink the handlers write to.
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <memory>
#include <span>

#include "hadrian/api/app.hpp"
#include "hadrian/api/context.hpp"
#include "hadrian/config/config.hpp"

namespace hadrian::server {

/// Shared by the listener and its sessions.
struct session_env {
    const config::server_config& cfg;
    api::app& app;
    api::app_state& state;
};

/// Thread safety: every member runs on the connection's strand (the socket's executor);
/// close_if_idle() and force_close() post themselves there. Lifetime: shared_ptr held by its
/// own coroutine and by pending timer handlers.
class session final : public std::enable_shared_from_this<session>, public api::response_sink {
public:
    using tcp = asio::ip::tcp;

    session(tcp::socket socket, const session_env& env);

    asio::any_io_executor get_executor() { return socket_.get_executor(); }

    /// The connection's whole life; returns when it is closed.
    awaitable<void> run();

    /// Close the connection if it is waiting for a next request (drain).
    void close_if_idle();
    /// Close the connection now, whatever it is doing (drain deadline).
    void force_close();

    // api::response_sink
    awaitable<error_code> send(int status, api::header_list headers, std::string body,
                               std::string_view content_type) override;
    awaitable<error_code> start_stream(int status, api::header_list headers) override;
    awaitable<error_code> write(std::string_view data) override;
    awaitable<error_code> finish() override;
    bool started() const noexcept override { return started_; }

private:
    /// Writes what the socket takes now without waiting; returns the bytes written.
    std::size_t write_now(std::span<const asio::const_buffer> bufs);
    /// All of `bufs` (empty ones allowed): at once when the socket takes it, else waiting
    /// with the stream idle deadline armed.
    awaitable<error_code> write_all(std::array<asio::const_buffer, 3> bufs);
    enum class deadline_action { cancel, close };

    awaitable<bool> read_request(http::request<http::string_body>& out, bool first);
    awaitable<void> serve(http::request<http::string_body>& req);
    awaitable<void> run_handler(api::request_context& ctx);
    awaitable<void> watch_client(api::request_context& ctx);
    awaitable<void> reject(core::errc code, std::string message);

    void arm(std::chrono::steady_clock::duration d, deadline_action action);
    void disarm();
    template <class Message>
    void apply_common_headers(Message& res, api::header_list& headers);

    tcp::socket socket_;
    const session_env& env_;
    beast::flat_buffer buffer_;
    asio::steady_timer timer_;
    std::uint64_t timer_generation_ = 0;
    bool timed_out_ = false;
    bool idle_ = false;
    bool closed_ = false;

    // Per request.
    unsigned version_ = 11;
    bool keep_alive_ = true;
    bool started_ = false;
    bool client_gone_ = false;
    const api::request_context* ctx_ = nullptr;  // the request being answered
    std::string client_ip_;
};

}  // namespace hadrian::server
