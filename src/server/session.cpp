#include "session.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <cstring>

#include "hadrian/core/ascii_case.hpp"
#include "hadrian/core/buffers.hpp"
#include "hadrian/core/log.hpp"
#include "hadrian/core/send_batching.hpp"
#include "hadrian/core/socket_read.hpp"
#include "hadrian/core/uuid.hpp"
#include "response_head.hpp"

namespace hadrian::server {

namespace {

constexpr std::size_t read_chunk = 16 * 1024;  // as fill()'s default
/// The most read at once while a large body is coming: fewer system calls per megabyte.
constexpr std::size_t max_body_read = 256 * 1024;
/// Pipelined bytes a client may send while its previous request is being answered.
constexpr std::size_t max_pipelined = 64 * 1024;
/// The read buffer's capacity kept through an answer: a usual request's, not a large body's.
constexpr std::size_t kept_buffer = 2048;

const std::shared_ptr<spdlog::logger>& log() {
    static const auto l = core::logger("server");
    return l;
}

/// Room for `Content-Length: ` and the digits of any size.
using length_field = std::array<char, 40>;

/// The `Content-Length` line of a body of `size` bytes (without its line break), in `room`.
std::string_view content_length(length_field& room, std::size_t size) {
    constexpr std::string_view name = "Content-Length: ";
    std::memcpy(room.data(), name.data(), name.size());
    const char* end = std::to_chars(room.data() + name.size(), room.data() + room.size(), size).ptr;
    return {room.data(), static_cast<std::size_t>(end - room.data())};
}

std::size_t total_size(std::span<const asio::const_buffer> bufs) {
    std::size_t total = 0;
    for (const auto& b : bufs) {
        total += b.size();
    }
    return total;
}

}  // namespace

session::session(tcp::socket socket, const tcp::endpoint& peer, const session_env& env)
    : socket_(std::move(socket)),
      env_(env),
      deadline_(socket_.get_executor()),
      client_ip_(peer.address().to_string()) {
    // TCP_NODELAY comes from the listener (open_listener). Reads and writes are tried at
    // once and only wait when the socket has nothing / no room.
    error_code ec;
    socket_.non_blocking(true, ec);
}

void session::arm(std::chrono::steady_clock::duration d, deadline_action action) {
    timed_out_ = false;
    action_ = action;
    deadline_.arm_after(d);
}

void session::disarm() { deadline_.disarm(); }

void session::on_deadline() {
    timed_out_ = true;
    error_code ignored;
    if (action_ == deadline_action::close) {
        socket_.close(ignored);
    } else {
        socket_.cancel(ignored);
    }
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

void session::start_read() {
    if (reading_ || read_error_) {
        return;
    }
    reading_ = true;
    // A block is taken only when bytes arrive: a connection that waits (for its next request,
    // or watching the client through a long stream) holds no read buffer.
    core::async_read_block(socket_,
                           [self = shared_from_this()](error_code ec, core::read_block block) {
                               self->on_read(ec, block.bytes());
                           });
}

void session::on_read(error_code ec, std::string_view got) {
    reading_ = false;
    if (!ec) {
        const auto space = buffer_.prepare(got.size());
        std::memcpy(space.data(), got.data(), got.size());
        buffer_.commit(got.size());
    } else {
        read_error_ = ec;
    }
    if (waiter_) {
        asio::any_completion_handler<void()> resume(std::move(*waiter_));
        waiter_.reset();
        std::move(resume)();
        return;
    }
    if (ctx_ == nullptr) {
        return;  // between requests: the next read_request takes what came
    }
    // A request is being answered: this read is the watch on the client.
    if (ec) {
        // Gone mid-request: the abort signal closes the upstream connection.
        client_gone_ = true;
        keep_alive_ = false;
        ctx_->abort.abort();
    } else if (buffer_.size() < max_pipelined) {
        start_read();  // pipelined input: keep it and go on watching
    }
}

awaitable<void> session::wait_read() {
    // Not a coroutine: the initiation's own awaitable is handed back, one frame fewer per wait.
    return asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
        [this](auto handler) { waiter_.emplace(std::move(handler)); }, asio::use_awaitable);
}

awaitable<error_code> session::fill(bool try_now, std::size_t want) {
    for (;;) {
        if (read_error_) {
            co_return read_error_;
        }
        if (timed_out_) {
            co_return asio::error::operation_aborted;
        }
        if (!reading_ && try_now) {
            error_code ec;
            const std::size_t n = socket_.read_some(buffer_.prepare(want), ec);
            if (!ec) {
                buffer_.commit(n);
                co_return error_code{};
            }
            if (!core::would_block(ec)) {
                read_error_ = ec;
                co_return ec;
            }
        }
        start_read();
        const std::size_t before = buffer_.size();
        co_await wait_read();
        if (buffer_.size() > before) {
            co_return error_code{};
        }
        try_now = true;
    }
}

awaitable<void> session::run() {
    deadline_.start(weak_from_this(), [this] { on_deadline(); });
    core::http_request req;
    auth::key_hash_memo key_memo;
    bool first = true;
    for (;;) {
        if (env_.state.draining.load(std::memory_order_relaxed) || closed_) {
            break;
        }
        if (buffer_.size() == 0) {
            // Wait for the first byte: an idle keep-alive connection may wait longer than a
            // header may take to arrive. Nothing is expected at once, so no read is tried now.
            idle_ = true;
            arm(first ? std::chrono::seconds(env_.cfg.header_read_timeout_secs)
                      : std::chrono::seconds(env_.cfg.keepalive_idle_secs),
                deadline_action::cancel);
            if (reading_) {
                // The read that watched the client during the last answer is the one to wait
                // for, without fill's frame: the next request's bytes, mostly.
                co_await wait_read();
            }
            error_code ec;
            if (buffer_.size() == 0) {
                ec = co_await fill(false);
            }
            idle_ = false;
            disarm();
            if (ec) {
                break;
            }
        }
        // The request taken from the buffer at once, mostly, without read_request()'s frame.
        if (!take_buffered_request(req)) {
            if (!co_await read_request(req)) {
                break;
            }
        }
        first = false;
        {
            // Served here rather than in a coroutine of its own: one frame fewer per request.
            const core::send_batching::request_scope counted;
            api::request_context ctx(req, *this, client_ip_, key_memo);
            begin_serving(ctx);
            try {
                co_await env_.app.handle(ctx);
            } catch (const std::exception& e) {
                log()->error("request_id={} unhandled: {}", ctx.request_id, e.what());
                keep_alive_ = false;
            }
            end_serving();
        }
        if (!keep_alive_ || client_gone_ || closed_) {
            break;
        }
    }
    disarm();
    // close() alone sends the FIN after what was written (a shutdown first would add a
    // system call and change nothing: no read follows it).
    error_code ignored;
    socket_.close(ignored);
}

bool session::take_buffered_request(core::http_request& out) {
    const asio::const_buffer data = buffer_.data();
    if (data.size() == 0) {
        return false;
    }
    core::http_request_parser parser(out);
    parser.header_limit(env_.cfg.max_header_bytes);
    parser.body_limit(env_.cfg.body_limit_bytes);
    error_code ec;
    std::size_t used = parser.put(data, ec);
    if (!ec && parser.is_header_done() && !parser.is_done()) {
        used += parser.put(data + used, ec);
    }
    if (ec || !parser.is_done() || !out[http::field::expect].empty()) {
        return false;
    }
    buffer_.consume(used);
    version_ = out.version();
    keep_alive_ = parser.keep_alive();
    head_request_ = out.method() == http::verb::head;
    return true;
}

awaitable<bool> session::read_request(core::http_request& out) {
    const auto& cfg = env_.cfg;
    const auto header_timeout = std::chrono::seconds(cfg.header_read_timeout_secs);
    core::http_request_parser parser(out);
    parser.header_limit(cfg.max_header_bytes);
    parser.body_limit(cfg.body_limit_bytes);
    version_ = 11;
    keep_alive_ = false;  // until a request was read
    const auto too_large = [&cfg] {
        return "Request body exceeds the limit of " + std::to_string(cfg.body_limit_bytes) +
               " bytes";
    };

    arm(header_timeout, deadline_action::cancel);
    while (!parser.is_header_done()) {
        error_code pec;
        buffer_.consume(parser.put(buffer_.data(), pec));
        if (!pec || parser.is_header_done()) {
            continue;
        }
        if (pec != http::error::need_more) {
            disarm();
            if (pec == http::error::body_limit) {
                co_await reject(core::errc::payload_too_large, too_large());
            } else if (pec == http::error::header_limit) {
                co_await reject(core::errc::header_too_large, "Request header fields too large");
            } else {
                co_await reject(core::errc::validation_error, "Malformed HTTP request");
            }
            co_return false;
        }
        const error_code ec = co_await fill(true);
        if (ec) {
            disarm();
            if (timed_out_) {
                co_await reject(core::errc::request_timeout,
                                "The request header was not received in time");
            } else if (parser.got_some() && ec != asio::error::eof &&
                       ec != asio::error::connection_reset &&
                       ec != asio::error::operation_aborted) {
                co_await reject(core::errc::validation_error, "Malformed HTTP request");
            }
            co_return false;
        }
    }
    disarm();
    version_ = out.version();
    if (auto len = parser.content_length(); len && *len > cfg.body_limit_bytes) {
        co_await reject(core::errc::payload_too_large, too_large());
        co_return false;
    }
    if (core::iequals(out[http::field::expect], "100-continue")) {
        static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
        const std::array<asio::const_buffer, 1> bufs{asio::buffer(cont)};
        const error_code wec = co_await write_all(bufs, cfg.header_read_timeout_secs);
        if (wec) {
            co_return false;
        }
    }
    arm(std::chrono::seconds(cfg.timeout_secs), deadline_action::cancel);
    while (!parser.is_done()) {
        error_code pec;
        const std::size_t used = parser.put(buffer_.data(), pec);
        buffer_.consume(used);
        if (pec && pec != http::error::need_more) {
            disarm();
            if (pec == http::error::body_limit) {
                co_await reject(core::errc::payload_too_large, too_large());
            } else {
                co_await reject(core::errc::validation_error, "Malformed HTTP request");
            }
            co_return false;
        }
        if (parser.is_done() || (used > 0 && buffer_.size() > 0)) {
            continue;
        }
        const std::uint64_t remaining = parser.content_length_remaining().value_or(0);
        const error_code ec =
            co_await fill(true, static_cast<std::size_t>(std::clamp<std::uint64_t>(
                                    remaining, read_chunk, max_body_read)));
        if (ec) {
            disarm();
            if (timed_out_) {
                co_await reject(core::errc::request_timeout,
                                "The request body was not received in time");
            }
            co_return false;
        }
    }
    disarm();
    keep_alive_ = parser.keep_alive();
    head_request_ = out.method() == http::verb::head;
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
    api::header_list headers;
    headers.emplace_back("X-Request-Id", request_id);
    const std::string body = err.body(request_id);
    length_field room;
    std::string h;
    head(h, err.status, "application/json", headers, content_length(room, body.size()));
    const std::array<asio::const_buffer, 2> bufs{asio::buffer(h), asio::buffer(body)};
    co_await write_all(bufs, 5);
}

void session::begin_serving(api::request_context& ctx) {
    started_ = false;
    client_gone_ = false;
    if (env_.state.draining.load(std::memory_order_relaxed)) {
        keep_alive_ = false;
    }
    if (buffer_.size() == 0 && buffer_.capacity() > kept_buffer) {
        // A request can take minutes (a long stream): hold no large read buffer meanwhile.
        // One as large as a usual request is kept for the next, saving an allocation each.
        buffer_.shrink_to_fit();
    }
    // The read that watches the client while the answer is prepared; when the client goes
    // away it fails at once, and on_read aborts the request.
    ctx_ = &ctx;
    if (buffer_.size() < max_pipelined) {
        start_read();
    }
    if (read_error_) {
        client_gone_ = true;
        keep_alive_ = false;
        ctx.abort.abort();
    }
}

void session::end_serving() {
    if (stream_open_) {
        // A stream that did not end (the client went away, or it broke before a byte went
        // out): the connection's next bytes would be misread.
        keep_alive_ = false;
        stream_open_ = false;
        unsent_.clear();
    }
    ctx_ = nullptr;
}

void session::head(std::string& out, int status, std::string_view content_type,
                   api::header_list& headers, std::string_view framing) {
    // Header fields in order of precedence, last wins (as `set` would): fixed ones, the
    // request's (rate-limit and budget state), then the answer's own.
    response_head h;
    std::array<api::number_fields::text_buffer, api::number_fields::capacity> number_texts;
    if (!content_type.empty()) {
        h.add("Content-Type", content_type);
    }
    h.add("Server", "hadrian");
    if (ctx_ != nullptr) {
        if (!ctx_->request_id.empty()) {
            h.add("X-Request-Id", ctx_->request_id);
        }
        const api::number_fields& numbers = ctx_->response_numbers;
        for (std::size_t i = 0; i < numbers.size(); ++i) {
            h.add(numbers.name(i), numbers.text(i, number_texts[i]));
        }
        for (const auto& [k, v] : ctx_->response_headers) {
            h.add(k, v);
        }
    }
    for (const auto& [k, v] : headers) {
        h.add(k, v);
    }
    if (env_.state.draining.load(std::memory_order_relaxed)) {
        keep_alive_ = false;
    }
    h.write(out, version_, status, keep_alive_, framing);
}

namespace {

/// Where this thread writes an answer's head (one head at a time: it is written out before
/// the coroutine waits on anything).
std::string& head_scratch() {
    thread_local std::string scratch;
    return scratch;
}

}  // namespace

bool session::send_now(int status, api::header_list headers, std::string body,
                       std::string_view content_type) {
    started_ = true;
    // The head is written into the thread's scratch, in cache and allocating nothing, and
    // copied only when the socket does not take it all at once.
    std::string& scratch = head_scratch();
    length_field room;
    head(scratch, status, content_type, headers, content_length(room, body.size()));
    if (head_request_) {
        body.clear();
    }
    const std::array<asio::const_buffer, 2> bufs{asio::buffer(scratch), asio::buffer(body)};
    const std::size_t done = write_some_now(bufs);
    if (done == scratch.size() + body.size()) {
        return true;
    }
    // Kept for flush(): the rest of the head copied (the scratch serves the next head), the
    // body moved.
    const std::size_t head_done = std::min(done, scratch.size());
    unsent_.assign(scratch, head_done);
    unsent_body_ = std::move(body);
    unsent_body_at_ = done - head_done;
    return false;
}

void session::start_stream(int status, api::header_list headers) {
    started_ = true;
    stream_open_ = true;
    headers.emplace(headers.begin(), "X-Accel-Buffering", "no");
    headers.emplace(headers.begin(), "Cache-Control", "no-cache");
    head(unsent_, status, "text/event-stream", headers, "Transfer-Encoding: chunked");
    if (buffer_.size() == 0) {
        buffer_.shrink_to_fit();  // the request is read: a stream's wait holds no input buffer
    }
}

std::size_t session::write_some_now(std::span<const asio::const_buffer> bufs) {
    // An answer nearly always fits the socket buffer: written here it costs one system call
    // and no trip through the event loop.
    error_code ec;
    return socket_.write_some(bufs, ec);
}

awaitable<error_code> session::write_all(std::span<const asio::const_buffer> bufs,
                                         std::uint32_t secs) {
    const std::size_t done = write_some_now(bufs);
    if (done == total_size(bufs)) {
        co_return error_code{};
    }
    co_return co_await write_rest(bufs, done, secs);
}

awaitable<error_code> session::write_rest(std::span<const asio::const_buffer> bufs,
                                          std::size_t done, std::uint32_t secs) {
    // Wait for room for what did not go out.
    const core::unwritten rest(bufs, done);
    arm(std::chrono::seconds(secs), deadline_action::close);
    auto [ec, written] = co_await asio::async_write(socket_, rest.span(), use_nothrow);
    disarm();
    co_return ec;
}

namespace {

/// A chunk's size line ("1a\r\n") in `out`; its length.
std::size_t chunk_size_line(std::array<char, 24>& out, std::size_t size) {
    char* end = std::to_chars(out.data(), out.data() + out.size() - 2, size, 16).ptr;
    *end++ = '\r';
    *end++ = '\n';
    return static_cast<std::size_t>(end - out.data());
}

constexpr std::string_view crlf = "\r\n";

/// The buffers of a stream write: the bytes kept unsent, then a piece (if any) as one chunk
/// of the body, then at most one more buffer. Refers to its own size line: not copied.
class stream_write {
public:
    stream_write(const std::string& unsent, std::string_view piece) {
        if (!unsent.empty()) {
            add(unsent);
        }
        if (!piece.empty()) {
            add(std::string_view(size_line_.data(), chunk_size_line(size_line_, piece.size())));
            add(piece);
            add(crlf);
        }
    }
    stream_write(const stream_write&) = delete;
    stream_write& operator=(const stream_write&) = delete;

    void add(std::string_view more) { bufs_[count_++] = asio::buffer(more); }
    std::span<const asio::const_buffer> buffers() const { return {bufs_.data(), count_}; }

private:
    std::array<char, 24> size_line_;
    std::array<asio::const_buffer, 5> bufs_;
    std::size_t count_ = 0;
};

}  // namespace

void session::hold(std::string_view data) {
    if (data.empty()) {
        return;  // an empty chunk would end the body
    }
    std::array<char, 24> size_line;
    unsent_.append(size_line.data(), chunk_size_line(size_line, data.size()));
    unsent_.append(data);
    unsent_.append(crlf);
}

bool session::write_now(std::string_view data) {
    const stream_write write(unsent_, data);
    const std::span<const asio::const_buffer> pieces = write.buffers();
    const std::size_t total = total_size(pieces);
    if (total == 0) {
        return true;
    }
    const std::size_t done = write_some_now(pieces);
    if (done == total) {
        // Freed, not kept: a stream may wait minutes for its next piece, and what was held
        // (the stream's header, a burst of events) is rarely held again.
        std::string().swap(unsent_);
        return true;
    }
    // Kept for flush(): the caller's bytes are only valid until it writes again. The rest
    // may begin inside unsent_ itself, so it is gathered apart first.
    const core::unwritten rest(pieces, done);
    std::string kept;
    kept.reserve(total - done);
    for (const auto& b : rest.span()) {
        kept.append(static_cast<const char*>(b.data()), b.size());
    }
    unsent_ = std::move(kept);
    return false;
}

awaitable<error_code> session::flush() {
    if (unsent_.empty() && unsent_body_at_ == unsent_body_.size()) {
        co_return error_code{};
    }
    const std::array<asio::const_buffer, 2> bufs{asio::buffer(unsent_),
                                                 asio::buffer(unsent_body_) + unsent_body_at_};
    // A stream waits on its client as long as between two events; a whole answer as long as
    // a request may take.
    const std::uint32_t secs =
        stream_open_ ? env_.cfg.streaming_idle_timeout_secs : env_.cfg.timeout_secs;
    const error_code ec = co_await write_rest(bufs, 0, secs);
    unsent_.clear();
    std::string().swap(unsent_body_);
    unsent_body_at_ = 0;
    co_return ec;
}

awaitable<error_code> session::finish(std::string_view last) {
    static constexpr std::string_view end = "0\r\n\r\n";
    stream_write write(unsent_, last);
    write.add(end);
    const error_code ec = co_await write_all(write.buffers(), env_.cfg.streaming_idle_timeout_secs);
    unsent_.clear();
    stream_open_ = static_cast<bool>(ec);
    co_return ec;
}

}  // namespace hadrian::server
