// One upstream connection (plain TCP or TLS) with its read buffer and pool identity.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>

#include "hadrian/core/asio.hpp"
#include "hadrian/core/coarse_clock.hpp"
#include "hadrian/core/deadline.hpp"
#include "upstream/response_parser.hpp"
#include "upstream/tls_context.hpp"

namespace hadrian::upstream {

/// Deadlines and idle times are seconds long: the tick-resolution clock serves them.
using clock = core::coarse_clock;

/// What makes two connections interchangeable: scheme, host and port.
struct pool_key {
    bool tls = false;
    std::string host;
    std::uint16_t port = 0;

    friend auto operator<=>(const pool_key&, const pool_key&) = default;
};

/// An upstream TCP or TLS stream, the buffer holding bytes read past the last parse, and when
/// it was last used.
/// Plain TCP goes without trips through the event loop where none is needed: the request is
/// written at once when the socket takes it, bytes already received are parsed at once, and
/// its deadline is a core::deadline (no timer per operation). TLS goes through Beast's
/// stream and its timer.
/// Thread safety: none. One strand uses it at a time (bind() names it); the pool's mutex
/// orders the hand-off between strands. The socket lives on the io_context's executor while
/// the completion handlers and the deadline run on the awaiting coroutine's executor, so
/// every operation and close() happen on that strand.
/// Lifetime: shared by the exchange using it and, while idle, the pool.
class connection : public std::enable_shared_from_this<connection> {
public:
    /// A plain TCP connection.
    connection(const asio::any_io_executor& ex, pool_key key);
    /// A TLS connection; the context is kept alive by the connection.
    connection(const asio::any_io_executor& ex, std::shared_ptr<asio::ssl::context> ctx,
               pool_key key);
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    const pool_key& key() const noexcept { return key_; }
    beast::flat_buffer& buffer() noexcept { return buffer_; }
    beast::tcp_stream& tcp() noexcept;
    bool is_open() noexcept;
    /// For an idle connection: still open, not closed by the peer, and no unexpected bytes
    /// waiting (a non-blocking peek). A stale connection would otherwise cost a failed attempt.
    bool idle_and_healthy() noexcept;

    clock::time_point last_used() const noexcept { return last_used_; }
    void touch() noexcept { last_used_ = clock::now(); }

    /// Deadline for every operation started from now on (the stream closes itself at it and
    /// the operation fails with beast::error::timeout).
    void expires_at(clock::time_point deadline);
    void expires_never();
    /// The strand that uses the connection from now on (where its deadline fires).
    void bind(const asio::any_io_executor& strand);

    /// Closes the socket; pending operations finish with operation_aborted. Idempotent.
    void close() noexcept;

    /// TCP connect trying each endpoint in turn.
    awaitable<error_code> connect(const asio::ip::tcp::resolver::results_type& endpoints);
    /// TLS client handshake (SNI and verification set up for `host`); no-op for plain TCP.
    /// On failure `*reason` gets the handshake failure with the certificate verdict.
    awaitable<error_code> handshake(const std::string& host, bool verify_peer, failure* reason);
    /// Writes without waiting what the socket takes of the head and the body's pieces (at most
    /// three), in one system call: the bytes written (0 on a TLS connection, which writes
    /// only through write()); `ec` set when the socket failed.
    std::size_t write_now(std::string_view head, std::span<const std::string_view> body,
                          error_code& ec);
    /// Writes the head and the body's pieces from byte `done` on (what write_now() did not),
    /// waiting for room.
    awaitable<error_code> write(std::string_view head, std::span<const std::string_view> body,
                                std::size_t done = 0);
    /// Whether the connection is plain TCP (not TLS).
    bool plain() const noexcept { return stream_.index() == 0; }
    /// Reading the answer's head on a plain connection, in steps around a wait that the caller
    /// makes in its own frame (exchange::send: no coroutine frame more per answer):
    /// header_settled() parses what the buffer holds, and what a read without waiting brings
    /// when `try_now` (after a wait that filled its block); true when that settled the head
    /// (`ec` clear when it is whole, else why it cannot be), false when the caller must wait
    /// with core::async_read_block on tcp().socket() and hand the outcome to header_block(),
    /// which is true when that settled it (false: header_settled(…, true) again).
    bool header_settled(response_parser& parser, error_code& ec, bool try_now);
    bool header_block(response_parser& parser, error_code read_ec, std::string_view got,
                      error_code& ec);
    /// The answer's head on a TLS connection.
    awaitable<error_code> read_header_tls(response_parser& parser);
    /// Reads and parses until body bytes are in the parser's body window (set by the caller)
    /// or the body ends; bytes already in the buffer are parsed first.
    awaitable<error_code> read_body(response_parser& parser);
    /// read_body() without waiting, from what the buffer holds: true when that settled the
    /// read (body bytes in, the body's end, or an error in `ec`), false when the socket must
    /// be read.
    bool read_buffered(response_parser& parser, error_code& ec);

private:
    /// Before a wait for bytes (an answer, a stream's next event): the buffer keeps no more
    /// room than a usual event needs; a block of the thread's takes what comes.
    void shed_room() noexcept;
    /// Appends bytes read into a block to the buffer.
    void keep(std::string_view bytes);
    /// A read without waiting, when the last read filled its room: true when it settled the
    /// read (bytes in buffer_, or an error in `ec`), false when the event loop must wait.
    bool read_now(error_code& ec);
    awaitable<error_code> read_body_plain(response_parser& parser);
    /// Parses what the buffer holds of the answer's head: true when that settled the read
    /// (the head is whole, `ec` clear, or `ec` tells why it cannot be).
    bool head_buffered(response_parser& parser, error_code& ec);
    awaitable<error_code> read_body_tls(response_parser& parser);
    /// One read of the TLS stream into the buffer.
    awaitable<error_code> read_tls();
    /// The connection's end before the answer's head was whole: end_of_stream when nothing
    /// came (a pooled connection the peer dropped), partial_message otherwise.
    static error_code closed_error(const response_parser& parser);
    /// The connection's end while reading the body: its end when the body ends with the
    /// connection, an error otherwise.
    static error_code end_of_body(response_parser& parser);
    /// A plain-socket error as callers know it: a fired deadline is beast::error::timeout.
    error_code plain_error(error_code ec) const;

    pool_key key_;
    std::shared_ptr<asio::ssl::context> tls_context_;
    std::variant<beast::tcp_stream, tls_stream> stream_;
    beast::flat_buffer buffer_;
    clock::time_point last_used_ = clock::now();
    // Plain TCP only.
    std::optional<core::deadline> deadline_;
    clock::time_point deadline_at_ = clock::time_point::max();
    bool timed_out_ = false;
    bool last_read_full_ = false;  // the last read filled its space: more may be waiting
};

}  // namespace hadrian::upstream
