// One upstream exchange. Deadlines: every operation gets min(now + its timeout, total
// deadline) on the stream, so no extra timers run; a fired deadline closes the socket and the
// operation ends with beast::error::timeout. Abort closes the socket (or wakes the DNS wait),
// and the `aborted_` flag turns whatever error follows into operation_aborted.
#include "upstream/exchange.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/optional.hpp>
#include <charconv>
#include <cstdint>
#include <limits>

#include "hadrian/core/put_text.hpp"
#include "hadrian/core/send_batching.hpp"
#include "hadrian/core/socket_read.hpp"
#include "upstream/dns_lookup.hpp"
#include "upstream/failure.hpp"
#include "upstream/pool.hpp"

namespace hadrian::upstream {
namespace {

// Body bytes handed out per read_some: stream events are small, and thousands of streams
// may be open at once. Also the least room read_all() gives a read of a body of unknown size.
constexpr std::size_t scratch_size = 1024;

// The most body bytes one read_all() window takes.
constexpr std::size_t max_all_window = 64 * 1024;

// Room left after a whole body of known size: a caller's small splice (the usage's `cost`)
// then fits without moving the body.
constexpr std::size_t splice_room = 64;

// Errors meaning "the peer closed before answering": on a reused connection the server most
// likely dropped it while idle, so the request is safe to send again on a new one.
bool is_closed_error(const error_code& ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted || ec == asio::ssl::error::stream_truncated;
}

/// The head of a request whose body is `body_size` bytes: `prepared` and its Content-Length.
std::string head_with_length(const prepared_head& prepared, std::size_t body_size) {
    // As Beast's prepare_payload: no length for an empty body of a method that has none.
    const http::verb m = prepared.method;
    const bool has_body =
        body_size > 0 || m == http::verb::post || m == http::verb::put || m == http::verb::patch;
    constexpr std::string_view length = "Content-Length: ";
    std::string head(prepared.text.size() + length.size() + 20 + 4, '\0');
    char* p = head.data();
    core::put_text(p, prepared.text);
    if (has_body) {
        core::put_text(p, length);
        p = std::to_chars(p, p + 20, body_size).ptr;
        core::put_text(p, "\r\n");
    }
    core::put_text(p, "\r\n");
    head.resize(static_cast<std::size_t>(p - head.data()));
    return head;
}

/// An operation's result when there is nothing to wait for.
awaitable<error_code> at_once(error_code ec) { co_return ec; }

}  // namespace

namespace {

/// The read buffer an idle pooled connection may keep (what a chat answer needs).
constexpr std::size_t idle_buffer_bytes = 4 * 1024;

}  // namespace

exchange::exchange(const exchange_context& ctx, request&& req, core::abort_signal* abort)
    : ctx_(ctx),
      body_(std::move(req.body)),
      spliced_(std::move(req.spliced)),
      stream_(req.stream),
      limits_(req.limits),
      total_deadline_(clock::now() + req.limits.total),
      abort_(abort) {
    if (req.prepared) {
        set_head(*req.prepared);
    } else {
        set_head(prepare_head(req));
    }
    if (abort_ != nullptr) {
        abort_->on_abort([this] { this->abort(); });
    }
}

void exchange::set_head(const prepared_head& prepared) {
    key_ = pool_key{prepared.target.tls, prepared.target.host, prepared.target.port};
    head_text_ = head_with_length(prepared, spliced_ ? spliced_->length() : body_.size());
    head_ = prepared.method == http::verb::head;
}

exchange::~exchange() {
    if (abort_ != nullptr) {
        abort_->clear();
    }
    if (!conn_) {
        return;
    }
    const bool reusable = !aborted_ && !body_error_ && parser_ && parser_->is_done() &&
                          parser_->keep_alive() && conn_->buffer().size() == 0 && conn_->is_open();
    if (reusable) {
        conn_->expires_never();
        conn_->touch();
        if (conn_->buffer().capacity() > idle_buffer_bytes) {
            conn_->buffer().shrink_to_fit();  // a large answer's buffer is not kept while idle
        }
        ctx_.idle->put(std::move(conn_));
    } else {
        conn_->close();
    }
}

void exchange::abort() noexcept {
    aborted_ = true;
    if (dns_) {
        dns_->cancel();
    }
    if (conn_) {
        conn_->close();
    }
}

clock::time_point exchange::deadline_after(std::chrono::milliseconds op, clock::time_point now) {
    total_bound_ = now + op >= total_deadline_;
    return total_bound_ ? total_deadline_ : now + op;
}

failure exchange::fail(const error_code& ec, std::string_view stage,
                       std::string_view timeout_text) {
    failure f;
    if (aborted_) {
        f = aborted_failure();
    } else if (ec == beast::error::timeout) {
        f = timeout_failure(total_bound_ ? "total deadline exceeded" : std::string(timeout_text));
    } else {
        f = provider_failure(stage, ec);
    }
    logger().debug("{}://{}:{}: {} ({})", key_.tls ? "https" : "http", key_.host, key_.port,
                   f.message, ec.message());
    return f;
}

failure exchange::fail_body(failure f) {
    if (conn_) {
        conn_->close();
    }
    body_error_ = f;
    return f;
}

awaitable<result<std::unique_ptr<response>, failure>> exchange::send(
    std::unique_ptr<exchange> self) {
    // The whole exchange up to the header in this one coroutine (open() apart, which only a
    // new connection needs): a pooled connection costs no frame more.
    exchange& x = *self;
    if (x.abort_ != nullptr && x.abort_->aborted()) {
        co_return aborted_failure();
    }
    x.conn_ = x.ctx_.idle->take(x.key_);
    bool reused = x.conn_ != nullptr;
    if (reused) {
        x.conn_->bind(co_await asio::this_coro::executor);
    }
    for (;;) {
        if (!x.conn_) {
            auto opened = co_await x.open();
            if (opened) {
                co_return std::move(*opened);
            }
        }
        std::optional<failure> failed = x.begin_attempt();
        if (!failed && !x.stream_ && core::send_batching::busy()) {
            co_await core::end_of_turn();
        }
        if (!failed) {
            std::array<std::string_view, 3> pieces{};
            const auto body = x.body_pieces(pieces);
            error_code written;
            const std::size_t done = x.conn_->write_now(x.head_text_, body, written);
            if (!written && done < x.request_size()) {
                written = co_await x.conn_->write(x.head_text_, body, done);
            }
            failed = x.sent(written);
        }
        if (!failed) {
            error_code header;
            if (x.conn_->plain()) {
                // The head's reads waited for in this frame (connection::header_settled).
                bool try_now = false;
                while (!x.conn_->header_settled(*x.parser_, header, try_now)) {
                    auto [rec, block] =
                        co_await core::async_read_block(x.conn_->tcp().socket(), use_nothrow);
                    if (x.conn_->header_block(*x.parser_, rec, block.bytes(), header)) {
                        break;
                    }
                    try_now = true;
                }
            } else {
                header = co_await x.conn_->read_header_tls(*x.parser_);
            }
            failed = x.header_read(header);
        }
        if (!failed) {
            // The answer has begun: the request is never sent again, and a long stream should
            // not keep it.
            x.release_request();
            co_return std::make_unique<response>(std::move(self));
        }
        if (!reused || !x.retryable_) {
            co_return std::move(*failed);
        }
        logger().debug("{}:{}: pooled connection failed before the response ({}); reconnecting",
                       x.key_.host, x.key_.port, failed->message);
        x.conn_->close();
        x.conn_.reset();
        reused = false;
    }
}

void exchange::release_request() noexcept {
    std::string().swap(head_text_);
    std::string().swap(body_);
    spliced_.reset();
}

awaitable<std::optional<failure>> exchange::open() {
    const auto deadline = deadline_after(limits_.connect);
    const auto strand = co_await asio::this_coro::executor;
    auto lookup = std::make_shared<dns_lookup>(strand);
    dns_ = lookup;
    auto endpoints = co_await lookup->resolve(key_.host, key_.port, deadline);
    dns_.reset();
    if (aborted_) {
        co_return aborted_failure();
    }
    if (!endpoints) {
        co_return fail(endpoints.error(), "DNS lookup failed", "timed out connecting");
    }

    if (key_.tls) {
        conn_ = std::make_shared<connection>(ctx_.io, ctx_.tls, key_);
    } else {
        conn_ = std::make_shared<connection>(ctx_.io, key_);
    }
    conn_->bind(strand);
    conn_->expires_at(deadline);
    const error_code connected = co_await conn_->connect(*endpoints);
    if (connected || aborted_) {
        co_return fail(connected, "connect failed", "timed out connecting");
    }
    failure reason;
    const error_code handshake = co_await conn_->handshake(key_.host, ctx_.verify_peer, &reason);
    if (aborted_ || handshake == beast::error::timeout) {
        co_return fail(handshake, "TLS handshake failed", "timed out connecting");
    }
    if (handshake) {
        logger().debug("https://{}:{}: {}", key_.host, key_.port, reason.message);
        co_return reason;
    }
    co_return std::nullopt;
}

std::optional<failure> exchange::begin_attempt() {
    retryable_ = false;
    if (aborted_) {
        return aborted_failure();
    }
    conn_->expires_at(deadline_after(limits_.first_byte));
    return std::nullopt;
}

std::span<const std::string_view> exchange::body_pieces(std::array<std::string_view, 3>& pieces) {
    if (!spliced_) {
        pieces[0] = body_;
        return {pieces.data(), 1};
    }
    const std::string_view s = spliced_->source;
    pieces = {s.substr(0, spliced_->offset), spliced_->replacement,
              s.substr(spliced_->offset + spliced_->size)};
    return {pieces.data(), 3};
}

std::size_t exchange::request_size() const noexcept {
    return head_text_.size() + (spliced_ ? spliced_->length() : body_.size());
}

std::optional<failure> exchange::sent(const error_code& written) {
    if (written || aborted_) {
        retryable_ = !aborted_ && written != beast::error::timeout;
        return fail(written, "sending request failed", "timed out sending request");
    }
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(ctx_.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    // No body limit: streamed bodies are bounded by time, read_all()'s by its window.
    if (head_) {
        parser_->head_request();
    }
    conn_->expires_at(deadline_after(limits_.first_byte));
    return std::nullopt;
}

std::optional<failure> exchange::header_read(const error_code& header) {
    if (header || aborted_) {
        retryable_ = !aborted_ && is_closed_error(header) && !parser_->got_some() &&
                     conn_->buffer().size() == 0;
        return fail(header, "reading response header failed",
                    "timed out waiting for response header");
    }
    return std::nullopt;
}

int exchange::status() const noexcept { return parser_->status(); }

const core::header_fields& exchange::headers() const noexcept { return parser_->fields(); }

awaitable<result<std::string_view, failure>> exchange::read_some() {
    if (!body_pending()) {
        co_return settled();
    }
    const error_code ec = co_await wait_body();
    co_return take_body(ec);
}

bool exchange::body_pending() const noexcept {
    return !body_error_ && !aborted_ && !parser_->is_done();
}

result<std::string_view, failure> exchange::settled() {
    if (body_error_) {
        return *body_error_;
    }
    if (aborted_) {
        return fail_body(aborted_failure());
    }
    return std::string_view{};  // the body is complete
}

bool exchange::arm_body_read(error_code& ec) {
    const auto now = clock::now();
    if (now >= total_deadline_) {
        total_bound_ = true;
        ec = beast::error::timeout;
        return false;
    }
    conn_->expires_at(deadline_after(limits_.idle, now));
    return true;
}

bool exchange::start_body_read(error_code& ec) {
    if (!arm_body_read(ec)) {
        return false;
    }
    if (!scratch_) {
        scratch_ = std::make_unique_for_overwrite<char[]>(scratch_size);
    }
    parser_->body_window(scratch_.get(), scratch_size);
    return true;
}

bool exchange::start_all_read(error_code& ec) {
    if (!arm_body_read(ec)) {
        return false;
    }
    // The bytes go straight to the end of the body: into room for the rest of a body of
    // known size (no more: the string's new bytes are zeroed first), else a scratch's worth
    // more (the string grows by doubling); at most a window's worth is zeroed at once. One
    // byte beyond the bound tells a body too large.
    const std::size_t have = all_.size();
    const std::size_t left = ctx_.max_body_bytes - have;  // have ≤ the bound: append_piece
    std::size_t room = all_.capacity() - have;
    if (const auto rest = parser_->content_length_remaining()) {
        room = std::max<std::size_t>(room, *rest);
    } else {
        room = std::max(room, scratch_size);
    }
    room = std::min(room, max_all_window);
    if (room > left) {
        room = left + 1;
    }
    all_.resize(have + room);
    parser_->body_window(all_.data() + have, room);
    all_window_ = true;
    return true;
}

void exchange::close_all_window() noexcept {
    if (all_window_) {
        // What the window did not receive is cut off again.
        all_.resize(all_.size() - parser_->window_left());
        parser_->body_window(nullptr, 0);
        all_window_ = false;
    }
}

awaitable<error_code> exchange::wait_body() {
    // Not a coroutine: waiting costs the connection's read frame only.
    error_code ec;
    if (!start_body_read(ec)) {
        return at_once(ec);
    }
    return conn_->read_body(*parser_);
}

result<std::string_view, failure> exchange::take_body(const error_code& ec) {
    if (ec || aborted_) {
        return fail_body(
            fail(ec, "reading response body failed", "timed out waiting for response body"));
    }
    // Empty when the body ended: the read returns once bytes are in or at the end.
    return std::string_view(scratch_.get(), scratch_size - parser_->window_left());
}

std::optional<result<std::string, failure>> exchange::read_all_now() {
    if (!all_reserved_) {
        all_reserved_ = true;
        if (const auto length = parser_->content_length();
            length && *length <= ctx_.max_body_bytes) {
            all_.reserve(static_cast<std::size_t>(*length) + splice_room);
        }
    }
    for (;;) {
        close_all_window();  // a window left open for read_all()'s wait that did not come
        if (!body_pending()) {
            auto end = settled();
            if (!end) {
                return end.error();
            }
            return std::move(all_);
        }
        error_code ec;
        if (start_all_read(ec) && !conn_->read_buffered(*parser_, ec)) {
            return std::nullopt;  // the window is set for read_all()'s wait
        }
        if (auto failed = append_piece(ec)) {
            return std::move(*failed);
        }
    }
}

awaitable<result<std::string, failure>> exchange::read_all() {
    // The connection is waited on only when what it holds is parsed.
    for (;;) {
        auto now = read_all_now();
        if (now) {
            co_return std::move(*now);
        }
        const error_code ec = co_await conn_->read_body(*parser_);
        if (auto failed = append_piece(ec)) {
            co_return std::move(*failed);
        }
    }
}

std::optional<failure> exchange::append_piece(const error_code& ec) {
    close_all_window();
    if (ec || aborted_) {
        return fail_body(
            fail(ec, "reading response body failed", "timed out waiting for response body"));
    }
    if (all_.size() > ctx_.max_body_bytes) {
        return fail_body(provider_failure("response body exceeds " +
                                          std::to_string(ctx_.max_body_bytes) + " bytes"));
    }
    return std::nullopt;
}

}  // namespace hadrian::upstream
