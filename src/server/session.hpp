// One client connection: HTTP/1.1 with keep-alive, request limits, timeouts, and the response
// sink the handlers write to.
//
// I/O without trips through the event loop where none is needed: bytes already received are
// read and parsed at once (the request parser fed directly), answers are written at once when the
// socket takes them, and only a real wait for the client goes through the reactor. At most
// one asynchronous read is outstanding; while a request is served it doubles as the watch for
// the client going away, and afterwards as the wait for the next request. Deadlines are
// stores to an atomic (core::deadline), not a timer per operation.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <memory>
#include <optional>
#include <span>

#include "hadrian/api/app.hpp"
#include "hadrian/api/context.hpp"
#include "hadrian/config/config.hpp"
#include "hadrian/core/deadline.hpp"

namespace hadrian::server {

/// Shared by the listener and its sessions.
struct session_env {
    const config::server_config& cfg;
    api::app& app;
    api::app_state& state;
};

/// Thread safety: every member runs on the connection's strand (the socket's executor);
/// close_if_idle() and force_close() post themselves there. Lifetime: shared_ptr held by its
/// own coroutine and by the outstanding read's handler.
class session final : public std::enable_shared_from_this<session>, public api::response_sink {
public:
    using tcp = asio::ip::tcp;

    /// `peer`: the client's address as accept() returned it.
    session(tcp::socket socket, const tcp::endpoint& peer, const session_env& env);

    asio::any_io_executor get_executor() { return socket_.get_executor(); }

    /// The connection's whole life; returns when it is closed.
    awaitable<void> run();

    /// Close the connection if it is waiting for a next request (drain).
    void close_if_idle();
    /// Close the connection now, whatever it is doing (drain deadline).
    void force_close();

    // api::response_sink
    bool send_now(int status, api::header_list headers, std::string body,
                  std::string_view content_type) override;
    void start_stream(int status, api::header_list headers) override;
    void hold(std::string_view data) override;
    bool write_now(std::string_view data) override;
    awaitable<error_code> flush() override;
    awaitable<error_code> finish(std::string_view last) override;
    bool started() const noexcept override { return started_; }

private:
    enum class deadline_action { cancel, close };

    // Input.
    /// Starts the one asynchronous read (into in_), unless it runs or the input ended.
    void start_read();
    void on_read(error_code ec, std::string_view got);
    /// Suspends until the outstanding read completes.
    awaitable<void> wait_read();
    /// Adds bytes to buffer_: those already received (up to `want` at once), or waits for
    /// some. `try_now` skips the immediate attempt when nothing is expected yet.
    awaitable<error_code> fill(bool try_now, std::size_t want = 16 * 1024);

    /// The next request into `out`, whose first bytes are in the buffer (run() waits for
    /// them): false when there is none (the connection ends; an answer to a bad request was
    /// sent).
    awaitable<bool> read_request(core::http_request& out);
    /// The next request read whole from what the buffer holds, without waiting: true when
    /// `out` holds it and its bytes are taken; false, with nothing taken, when read_request()
    /// must read it (bytes missing, an error to answer, an Expect field).
    bool take_buffered_request(core::http_request& out);
    /// Before and after a request's answer (run() awaits the app between them): the watch
    /// read on the client, and what a stream left unfinished.
    void begin_serving(api::request_context& ctx);
    void end_serving();
    awaitable<void> reject(core::errc code, std::string message);

    // Output.
    /// The status line and header fields of an answer, ending with the blank line, written
    /// into `out` (replacing what it held).
    void head(std::string& out, int status, std::string_view content_type,
              api::header_list& headers, std::string_view framing);
    /// Writes what the socket takes now without waiting; returns the bytes written.
    std::size_t write_some_now(std::span<const asio::const_buffer> bufs);
    /// All of `bufs` (empty ones allowed): at once when the socket takes it, else waiting
    /// with a deadline of `secs` that closes the connection.
    awaitable<error_code> write_all(std::span<const asio::const_buffer> bufs, std::uint32_t secs);
    /// Waits until the rest of `bufs`, after the `done` bytes written already, is written.
    awaitable<error_code> write_rest(std::span<const asio::const_buffer> bufs, std::size_t done,
                                     std::uint32_t secs);

    void arm(std::chrono::steady_clock::duration d, deadline_action action);
    void disarm();
    void on_deadline();

    tcp::socket socket_;
    const session_env& env_;
    beast::flat_buffer buffer_;  // received, not yet parsed
    core::deadline deadline_;
    deadline_action action_ = deadline_action::cancel;
    bool timed_out_ = false;
    bool idle_ = false;
    bool closed_ = false;

    // The outstanding read (its bytes go to buffer_ as it completes).
    bool reading_ = false;
    error_code read_error_;  // sticky: the input ended (EOF, reset, cancelled)
    // Asio 1.26's any_completion_handler move-assignment recurses: only ever emplaced.
    std::optional<asio::any_completion_handler<void()>> waiter_;

    // Per request.
    unsigned version_ = 11;
    bool keep_alive_ = true;
    bool head_request_ = false;
    bool started_ = false;
    bool stream_open_ = false;  // a stream's header was given and its end was not written
    bool client_gone_ = false;
    // A stream's bytes not written yet: its header and held pieces (to go out with the next
    // piece), or the rest of a write the socket did not take all of (flush()).
    std::string unsent_;
    // The body of a whole answer the socket did not take all of, from unsent_body_at_ on:
    // written by flush() after unsent_ (the rest of its head).
    std::string unsent_body_;
    std::size_t unsent_body_at_ = 0;
    api::request_context* ctx_ = nullptr;  // the request being answered
    std::string client_ip_;
};

}  // namespace hadrian::server
