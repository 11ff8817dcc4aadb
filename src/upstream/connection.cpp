// Upstream connection: each operation dispatches on the stream kind (TCP or TLS) held in a
// variant, so the rest of the module never sees the difference.
#include "upstream/connection.hpp"

#include <sys/socket.h>
#include <sys/types.h>

#include <array>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <span>
#include <tuple>

#include "hadrian/core/buffers.hpp"
#include "hadrian/core/socket_read.hpp"
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
    // Servers close idle connections after seconds, not within one: a connection used this
    // recently is taken without the system call (and a pooled connection that fails before
    // any response byte is replaced anyway).
    if (clock::now() - last_used_ < std::chrono::seconds(1)) {
        return true;
    }
    char byte = 0;
    const ssize_t n =
        ::recv(tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT | MSG_NOSIGNAL);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void connection::close() noexcept { tcp().close(); }

void connection::bind(const asio::any_io_executor& strand) {
    if (!plain()) {
        return;
    }
    if (!deadline_) {
        deadline_.emplace(strand);
        deadline_->start(weak_from_this(), [this] {
            timed_out_ = true;
            tcp().socket().close();
        });
    } else {
        deadline_->retarget(strand);
    }
}

void connection::expires_at(clock::time_point deadline) {
    if (!plain()) {
        tcp().expires_at(deadline);
        return;
    }
    timed_out_ = false;
    deadline_at_ = deadline;
    if (deadline_) {
        deadline_->arm_at(deadline);
    }
}

void connection::expires_never() {
    if (!plain()) {
        tcp().expires_never();
        return;
    }
    deadline_at_ = clock::time_point::max();
    if (deadline_) {
        deadline_->disarm();
    }
}

error_code connection::plain_error(error_code ec) const {
    if (ec && timed_out_) {
        return beast::error::timeout;
    }
    return ec;
}

bool connection::read_now(error_code& ec) {
    // Only after a read that filled the buffer: more is likely there already. Otherwise the
    // bytes are not there yet (an answer or event just asked for) and the event loop waits.
    if (!last_read_full_) {
        return false;
    }
    // As much as a block read takes: every wait reads into a block, so only a read that
    // filled one, or this one, comes here.
    const std::size_t chunk = core::read_block::capacity;
    const std::size_t n = tcp().socket().read_some(buffer_.prepare(chunk), ec);
    if (!ec) {
        buffer_.commit(n);
        last_read_full_ = n == chunk;
        return true;
    }
    if (core::would_block(ec)) {
        ec = {};
        return false;
    }
    ec = plain_error(ec);
    return true;
}

awaitable<error_code> connection::connect(const asio::ip::tcp::resolver::results_type& endpoints) {
    if (plain()) {
        // Beast's timer bounds the connect (rare: pooled connections are reused).
        tcp().expires_at(deadline_at_);
    }
    error_code ec = asio::error::not_found;
    for (const auto& entry : endpoints) {
        auto& socket = tcp().socket();
        error_code ignored;
        socket.close(ignored);
        socket.open(entry.endpoint().protocol(), ec);
        if (ec) {
            continue;
        }
        if (plain()) {
            // Non-blocking before the connect, which then sets no mode of its own: one
            // system call less per connection. Reads and writes are tried at once.
            socket.non_blocking(true, ignored);
        }
        std::tie(ec) = co_await tcp().async_connect(entry.endpoint(), use_nothrow);
        if (!ec || ec == beast::error::timeout) {
            break;
        }
    }
    if (plain()) {
        tcp().expires_never();
        ec = plain_error(ec);
    }
    if (!ec) {
        error_code ignored;
        tcp().socket().set_option(asio::ip::tcp::no_delay(true), ignored);
        if (plain()) {
            core::enable_read_hints(tcp().socket().native_handle());
        }
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

namespace {

/// The read buffer's capacity kept through a wait for a stream's next event.
constexpr std::size_t kept_while_waiting = 512;

/// The most one read of a TLS stream asks for (as Beast's HTTP reads).
constexpr std::size_t max_tls_read = 64 * 1024;

/// `head` and the body's pieces (at most three) as buffers in `storage`; `total` gets their
/// size.
std::span<const asio::const_buffer> request_buffers(std::array<asio::const_buffer, 4>& storage,
                                                    std::string_view head,
                                                    std::span<const std::string_view> body,
                                                    std::size_t& total) {
    storage[0] = asio::buffer(head);
    std::size_t count = 1;
    total = head.size();
    for (const std::string_view piece : body.first(std::min<std::size_t>(body.size(), 3))) {
        storage[count++] = asio::buffer(piece);
        total += piece.size();
    }
    return {storage.data(), count};
}

}  // namespace

void connection::shed_room() noexcept {
    if (buffer_.capacity() > kept_while_waiting) {
        buffer_.shrink_to_fit();
    }
}

void connection::keep(std::string_view bytes) {
    buffer_.commit(asio::buffer_copy(buffer_.prepare(bytes.size()), asio::buffer(bytes)));
}

std::size_t connection::write_now(std::string_view head, std::span<const std::string_view> body,
                                  error_code& ec) {
    ec = {};
    if (!plain()) {
        return 0;
    }
    std::array<asio::const_buffer, 4> storage;
    std::size_t total = 0;
    const auto bufs = request_buffers(storage, head, body, total);
    const std::size_t done = tcp().socket().write_some(bufs, ec);
    if (ec && core::would_block(ec)) {
        ec = {};
    }
    ec = plain_error(ec);
    return ec ? 0 : done;
}

awaitable<error_code> connection::write(std::string_view head,
                                        std::span<const std::string_view> body, std::size_t done) {
    std::array<asio::const_buffer, 4> storage;
    std::size_t total = 0;
    const auto bufs = request_buffers(storage, head, body, total);
    if (auto* s = std::get_if<tls_stream>(&stream_)) {
        auto [ec, n] = co_await asio::async_write(*s, bufs, use_nothrow);
        co_return ec;
    }
    const core::unwritten rest(bufs, done);
    auto [wec, written] = co_await asio::async_write(tcp().socket(), rest.span(), use_nothrow);
    co_return plain_error(wec);
}

error_code connection::closed_error(const response_parser& parser) {
    return parser.got_some() ? error_code(http::error::partial_message)
                             : error_code(http::error::end_of_stream);
}

bool connection::head_buffered(response_parser& parser, error_code& ec) {
    ec = {};
    if (buffer_.size() == 0) {
        return false;
    }
    buffer_.consume(parser.put(buffer_.data(), ec));
    if (parser.is_header_done()) {
        ec = {};
        return true;
    }
    return ec && ec != http::error::need_more;
}

awaitable<error_code> connection::read_header_tls(response_parser& parser) {
    for (;;) {
        if (error_code ec; head_buffered(parser, ec)) {
            co_return ec;
        }
        const error_code ec = co_await read_tls();
        if (ec == asio::error::eof) {
            co_return closed_error(parser);
        }
        if (ec) {
            co_return ec;
        }
    }
}

awaitable<error_code> connection::read_tls() {
    auto [ec, n] = co_await std::get<tls_stream>(stream_).async_read_some(
        buffer_.prepare(beast::read_size(buffer_, max_tls_read)), use_nothrow);
    buffer_.commit(n);
    co_return ec;
}

bool connection::header_settled(response_parser& parser, error_code& ec, bool try_now) {
    for (;;) {
        if (head_buffered(parser, ec)) {
            return true;
        }
        ec = {};
        // The answer is not there yet right after the request: the first step waits.
        if (!try_now || !read_now(ec)) {
            // The wait holds no larger buffer than read_body's: the answer comes in a block of
            // the thread's, the head is parsed from there, and only the rest is kept.
            shed_room();
            return false;
        }
        if (ec) {
            if (ec == asio::error::eof) {
                ec = closed_error(parser);
            }
            return true;
        }
    }
}

bool connection::header_block(response_parser& parser, error_code read_ec, std::string_view got,
                              error_code& ec) {
    last_read_full_ = got.size() == core::read_block::capacity;
    ec = plain_error(read_ec);
    if (!ec && buffer_.size() == 0) {
        error_code pec;
        got.remove_prefix(parser.put(asio::buffer(got), pec));
        if (pec && pec != http::error::need_more && !parser.is_header_done()) {
            ec = pec;
            return true;
        }
    }
    keep(got);
    if (ec == asio::error::eof) {
        ec = closed_error(parser);
    }
    return ec || parser.is_header_done();
}

awaitable<error_code> connection::read_body(response_parser& parser) {
    // Not a coroutine: a stream event costs one coroutine frame less.
    if (plain()) {
        return read_body_plain(parser);
    }
    return read_body_tls(parser);
}

awaitable<error_code> connection::read_body_tls(response_parser& parser) {
    for (;;) {
        error_code ec;
        if (read_buffered(parser, ec)) {
            co_return ec;
        }
        ec = co_await read_tls();
        if (ec == asio::error::eof) {
            co_return end_of_body(parser);
        }
        if (ec) {
            co_return ec;
        }
    }
}

error_code connection::end_of_body(response_parser& parser) {
    if (!parser.got_some()) {
        return http::error::end_of_stream;
    }
    error_code eof;
    parser.put_eof(eof);  // a body that ends with the connection
    return eof;
}

bool connection::read_buffered(response_parser& parser, error_code& ec) {
    // Parse steps (as Beast's read_some) until body bytes are in: a chunk header alone does
    // not settle the read.
    ec = {};
    const std::size_t room = parser.window_left();
    while (buffer_.size() > 0) {
        const std::size_t used = parser.put(buffer_.data(), ec);
        buffer_.consume(used);
        if (ec == http::error::need_buffer) {
            ec = {};  // the window is full
            return true;
        }
        if (ec && ec != http::error::need_more) {
            return true;
        }
        ec = {};
        if (parser.window_left() < room || parser.is_done()) {
            return true;
        }
        if (used == 0) {
            break;
        }
    }
    return parser.is_done();
}

awaitable<error_code> connection::read_body_plain(response_parser& parser) {
    // What the buffer holds first, reading only when the parser needs bytes.
    for (;;) {
        error_code ec;
        if (read_buffered(parser, ec)) {
            co_return ec;
        }
        // Reading inlined: a stream event costs no coroutine frame more.
        if (!read_now(ec)) {
            // The wait may be long (a stream's next event): it holds no larger buffer than a
            // usual event needs (the bytes come in a block of the thread's, and the parser
            // leaves a chunk's line end behind), so steady small events allocate nothing.
            shed_room();
            auto [rec, block] = co_await core::async_read_block(tcp().socket(), use_nothrow);
            const std::string_view got = block.bytes();
            keep(got);
            last_read_full_ = got.size() == core::read_block::capacity;
            ec = plain_error(rec);
        }
        if (ec == asio::error::eof) {
            co_return end_of_body(parser);
        }
        if (ec) {
            co_return ec;
        }
    }
}

}  // namespace hadrian::upstream
