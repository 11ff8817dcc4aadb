#include "session.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "hadrian/core/log.hpp"
#include "hadrian/core/uuid.hpp"

namespace hadrian::server {

namespace {

constexpr std::size_t read_chunk = 16 * 1024;
constexpr std::size_t watch_chunk = 512;
/// Pipelined bytes a client may send while its previous request is being answered.
constexpr std::size_t max_pipelined = 64 * 1024;

const std::shared_ptr<spdlog::logger>& log() {
    static const auto l = core::logger("server");
    return l;
}

}  // namespace

session::session(tcp::socket socket, const session_env& env)
    : socket_(std::move(socket)), env_(env), timer_(socket_.get_executor()) {
    error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    // Stream writes are tried at once (write_now) and only wait when the socket is full.
    socket_.non_blocking(true, ec);
    auto ep = socket_.remote_endpoint(ec);
    if (!ec) {
        client_ip_ = ep.address().to_string();
    }
}

void session::arm(std::chrono::steady_clock::duration d, deadline_action action) {
    timed_out_ = false;
    timer_.expires_after(d);
    const auto generation = ++timer_generation_;
    timer_.async_wait([self = shared_from_this(), generation, action](error_code ec) {
        if (ec || generation != self->timer_generation_) {
            return;
        }
        self->timed_out_ = true;
        error_code ignored;
        if (action == deadline_action::close) {
            self->socket_.close(ignored);
        } else {
            self->socket_.cancel(ignored);
        }
    });
}

void session::disarm() {
    ++timer_generation_;
    timer_.cancel();
}

void session::close_if_idle() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
        if (self->idle_) {
            error_code ignored;
            self->socket_.cancel(ignored);
        }
    });
}

void session::force_close() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
        error_code ignored;
        self->closed_ = true;
        self->socket_.close(ignored);
    });
}

awaitable<void> session::run() {
    http::request<http::string_body> req;
    bool first = true;
    for (;;) {
        if (env_.state.draining.load(std::memory_order_relaxed) || closed_) {
            break;
        }
        if (!co_await read_request(req, first)) {
            break;
        }
        first = false;
        co_await serve(req);
        if (!keep_alive_ || client_gone_ || closed_) {
            break;
        }
    }
    disarm();
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
}

awaitable<bool> session::read_request(http::request<http::string_body>& out, bool first) {
    const auto& cfg = env_.cfg;
    const auto header_timeout = std::chrono::seconds(cfg.header_read_timeout_secs);
    if (buffer_.size() == 0) {
        // Wait for the first byte: an idle keep-alive connection may wait longer than a
        // header may take to arrive.
        idle_ = true;
        arm(first ? header_timeout : std::chrono::seconds(cfg.keepalive_idle_secs),
            deadline_action::cancel);
        auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(read_chunk), use_nothrow);
        idle_ = false;
        disarm();
        if (ec || n == 0) {
            co_return false;
        }
        buffer_.commit(n);
    }

    http::request_parser<http::string_body> parser;
    parser.header_limit(cfg.max_header_bytes);
    parser.body_limit(cfg.body_limit_bytes);
    version_ = 11;
    keep_alive_ = false;  // until a request was read

    arm(header_timeout, deadline_action::cancel);
    auto [hec, hn] = co_await http::async_read_header(socket_, buffer_, parser, use_nothrow);
    disarm();
    if (hec) {
        if (timed_out_) {
            co_await reject(core::errc::request_timeout,
                            "The request header was not received in time");
        } else if (hec == http::error::body_limit) {
            co_await reject(core::errc::payload_too_large,
                            "Request body exceeds the limit of " +
                                std::to_string(cfg.body_limit_bytes) + " bytes");
        } else if (hec == http::error::header_limit) {
            co_await reject(core::errc::header_too_large, "Request header fields too large");
        } else if (hec != http::error::end_of_stream && hec != asio::error::eof &&
                   hec != asio::error::operation_aborted && hec != asio::error::connection_reset) {
            co_await reject(core::errc::validation_error, "Malformed HTTP request");
        }
        co_return false;
    }
    version_ = parser.get().version();
    if (auto len = parser.content_length(); len && *len > cfg.body_limit_bytes) {
        co_await reject(
            core::errc::payload_too_large,
            "Request body exceeds the limit of " + std::to_string(cfg.body_limit_bytes) + " bytes");
        co_return false;
    }
    if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
        arm(header_timeout, deadline_action::close);
        auto [wec, wn] = co_await asio::async_write(socket_, asio::buffer(cont), use_nothrow);
        disarm();
        if (wec) {
            co_return false;
        }
    }
    arm(std::chrono::seconds(cfg.timeout_secs), deadline_action::cancel);
    auto [bec, bn] = co_await http::async_read(socket_, buffer_, parser, use_nothrow);
    disarm();
    if (bec) {
        if (bec == http::error::body_limit) {
            co_await reject(core::errc::payload_too_large,
                            "Request body exceeds the limit of " +
                                std::to_string(cfg.body_limit_bytes) + " bytes");
        } else if (timed_out_) {
            co_await reject(core::errc::request_timeout,
                            "The request body was not received in time");
        }
        co_return false;
    }
    out = parser.release();
    keep_alive_ = out.keep_alive();
    co_return true;
}

awaitable<void> session::reject(core::errc code, std::string message) {
    // Answer a request that could not be read, then close: the rest of the stream is unknown.
    keep_alive_ = false;
    started_ = false;
    const auto err = core::api_error::make(code, std::move(message));
    const std::string request_id = core::new_uuid();
    log()->info("request_id={} rejected status={} error={} client_ip={}", request_id, err.status,
                err.code, client_ip_);
    http::response<http::string_body> res{static_cast<http::status>(err.status), version_};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::server, "hadrian");
    res.set("X-Request-Id", request_id);
    res.set(http::field::connection, "close");
    res.body() = err.body(request_id);
    res.prepare_payload();
    arm(std::chrono::seconds(5), deadline_action::close);
    co_await http::async_write(socket_, res, use_nothrow);
    disarm();
}

awaitable<void> session::serve(http::request<http::string_body>& req) {
    started_ = false;
    client_gone_ = false;
    if (env_.state.draining.load(std::memory_order_relaxed)) {
        keep_alive_ = false;
    }
    api::request_context ctx(req, *this, client_ip_);
    ctx_ = &ctx;
    using namespace asio::experimental::awaitable_operators;
    // The handler races a read on the client socket: when the client goes away mid-request
    // the read fails at once, and the abort signal closes the upstream connection.
    if (buffer_.size() == 0) {
        // A request can take minutes (a long stream): hold no read buffer meanwhile.
        buffer_.shrink_to_fit();
    }
    co_await (run_handler(ctx) || watch_client(ctx));
    ctx_ = nullptr;
}

awaitable<void> session::run_handler(api::request_context& ctx) {
    // Cancellation from the race must not throw through the handler: it finishes its own
    // bookkeeping and only sees failed I/O.
    co_await asio::this_coro::throw_if_cancelled(false);
    try {
        co_await env_.app.handle(ctx);
    } catch (const std::exception& e) {
        log()->error("request_id={} unhandled: {}", ctx.request_id, e.what());
        keep_alive_ = false;
    }
}

awaitable<void> session::watch_client(api::request_context& ctx) {
    co_await asio::this_coro::throw_if_cancelled(false);
    // The race cancels this side once, when the handler finishes. A read that completed at
    // that moment (the client's next request arriving) is kept, and no new wait may start
    // after it: the cancellation was spent and that wait would never end.
    const auto state = co_await asio::this_coro::cancellation_state;
    auto cancelled = [&state] { return state.cancelled() != asio::cancellation_type::none; };
    for (;;) {
        if (cancelled()) {
            co_return;
        }
        if (buffer_.size() >= max_pipelined) {
            // Enough pipelined input buffered: stop reading until the handler is done.
            asio::steady_timer forever(socket_.get_executor(),
                                       std::chrono::steady_clock::time_point::max());
            co_await forever.async_wait(use_nothrow);
            co_return;
        }
        // Small reads: normally nothing comes until the answer is done.
        auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(watch_chunk), use_nothrow);
        if (!ec) {
            buffer_.commit(n);
            continue;
        }
        if (ec == asio::error::operation_aborted && !closed_) {
            co_return;  // the handler finished first
        }
        client_gone_ = true;
        keep_alive_ = false;
        ctx.abort.abort();
        co_return;
    }
}

template <class Message>
void session::apply_common_headers(Message& res, api::header_list& headers) {
    res.set(http::field::server, "hadrian");
    if (ctx_ != nullptr) {
        if (!ctx_->request_id.empty()) {
            res.set("X-Request-Id", ctx_->request_id);
        }
        // Headers every answer of this request carries (rate-limit and budget state).
        for (const auto& [k, v] : ctx_->response_headers) {
            res.set(k, v);
        }
    }
    for (auto& [k, v] : headers) {
        res.set(k, std::move(v));
    }
    if (env_.state.draining.load(std::memory_order_relaxed)) {
        keep_alive_ = false;
    }
    res.keep_alive(keep_alive_);
}

awaitable<error_code> session::send(int status, api::header_list headers, std::string body,
                                    std::string_view content_type) {
    http::response<http::string_body> res{static_cast<http::status>(status), version_};
    res.set(http::field::content_type, content_type);
    apply_common_headers(res, headers);
    res.body() = std::move(body);
    res.prepare_payload();
    started_ = true;
    arm(std::chrono::seconds(env_.cfg.timeout_secs), deadline_action::close);
    auto [ec, n] = co_await http::async_write(socket_, res, use_nothrow);
    disarm();
    co_return ec;
}

awaitable<error_code> session::start_stream(int status, api::header_list headers) {
    http::response<http::empty_body> res{static_cast<http::status>(status), version_};
    res.set(http::field::content_type, "text/event-stream");
    res.set(http::field::cache_control, "no-cache");
    res.set("X-Accel-Buffering", "no");
    apply_common_headers(res, headers);
    res.chunked(true);
    started_ = true;
    http::response_serializer<http::empty_body> sr{res};
    arm(std::chrono::seconds(env_.cfg.streaming_idle_timeout_secs), deadline_action::close);
    auto [ec, n] = co_await http::async_write_header(socket_, sr, use_nothrow);
    disarm();
    co_return ec;
}

std::size_t session::write_now(std::span<const asio::const_buffer> bufs) {
    // A stream event fits the socket buffer nearly always: written here, it costs one system
    // call and no trip through the event loop (an asynchronous write that completes at once
    // is still queued as a handler). What is left goes the asynchronous way.
    error_code ec;
    return socket_.write_some(bufs, ec);
}

awaitable<error_code> session::write_all(std::array<asio::const_buffer, 3> bufs) {
    std::size_t total = 0;
    for (const auto& b : bufs) {
        total += b.size();
    }
    std::size_t done = write_now(bufs);
    if (done == total) {
        co_return error_code{};
    }
    // Skip what went out, then wait for room for the rest.
    std::array<asio::const_buffer, 3> rest{};
    std::size_t n = 0;
    for (const auto& b : bufs) {
        if (done >= b.size()) {
            done -= b.size();
            continue;
        }
        rest[n++] = asio::buffer(static_cast<const char*>(b.data()) + done, b.size() - done);
        done = 0;
    }
    arm(std::chrono::seconds(env_.cfg.streaming_idle_timeout_secs), deadline_action::close);
    auto [ec, written] = co_await asio::async_write(
        socket_, std::span<const asio::const_buffer>(rest.data(), n), use_nothrow);
    disarm();
    co_return ec;
}

awaitable<error_code> session::write(std::string_view data) {
    if (data.empty()) {
        co_return error_code{};
    }
    char size_line[24];
    const int len = std::snprintf(size_line, sizeof size_line, "%zx\r\n", data.size());
    static constexpr std::string_view crlf = "\r\n";
    const std::array<asio::const_buffer, 3> bufs{asio::buffer(size_line, len), asio::buffer(data),
                                                 asio::buffer(crlf)};
    co_return co_await write_all(bufs);
}

awaitable<error_code> session::finish() {
    static constexpr std::string_view last = "0\r\n\r\n";
    const std::array<asio::const_buffer, 3> bufs{asio::buffer(last), asio::const_buffer(),
                                                 asio::const_buffer()};
    co_return co_await write_all(bufs);
}

}  // namespace hadrian::server
