/// Async HTTP/1.1 client for upstream providers: TCP or TLS (system CA store, peer and host
/// name verification, SNI), a per-host keep-alive pool, async DNS, and four timeouts.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/assert/source_location.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hadrian/core/abort_signal.hpp"
#include "hadrian/core/asio.hpp"
#include "hadrian/core/error.hpp"
#include "hadrian/core/header_fields.hpp"

namespace hadrian::upstream {

/// An absolute http(s) URL split for a request.
struct url {
    bool tls = false;
    std::string host;  // without brackets for IPv6
    std::uint16_t port = 0;
    std::string target;  // path and query, at least "/"

    /// Parses `http://host[:port][/path][?query]` and `https://…`; error for anything else.
    static result<url> parse(std::string_view text);
    /// `host` or `host:port` when the port is not the scheme's default (for the Host header).
    std::string host_header() const;
};

/// Percent-encode `text` as ONE path segment: everything but RFC 3986 unreserved characters
/// (A-Z a-z 0-9 - . _ ~) is encoded, so a value can never change a path or add a query.
std::string encode_path_segment(std::string_view text);

/// Percent-encode a query parameter value (same rule as a path segment).
inline std::string encode_query_value(std::string_view text) { return encode_path_segment(text); }

/// Why an upstream call failed. `ec` is what callers branch on: errc::provider_error,
/// errc::upstream_timeout, or asio::error::operation_aborted (the abort signal fired or
/// response::abort() was called). `message` is a short reason fit for the client-facing
/// `Upstream provider returned error: <message>`, e.g. "connect failed: connection refused",
/// "timed out waiting for response header", "TLS handshake failed: certificate verify failed
/// (self-signed certificate)". It never names the upstream host (logged at debug instead).
struct failure {
    error_code ec;
    std::string message;
};

/// Lets `result<T, failure>::value()` throw (boost::system::system_error with the message).
[[noreturn]] void throw_exception_from_error(const failure& f, const boost::source_location& loc);

struct timeouts {
    std::chrono::milliseconds connect{10'000};      // DNS + TCP + TLS handshake
    std::chrono::milliseconds first_byte{300'000};  // request sent → response header complete
    std::chrono::milliseconds idle{120'000};        // between body reads
    std::chrono::milliseconds total{300'000};       // whole exchange, from send()
};

/// A body sent as the bytes of `source` with those at [offset, offset + size) replaced by
/// `replacement`, without copying `source`: a client's request passed through with another
/// model. `source` must outlive the exchange (it is the body of the request being answered).
struct spliced_body {
    std::string_view source;
    std::size_t offset = 0;
    std::size_t size = 0;
    std::string replacement;

    std::size_t length() const noexcept { return source.size() - size + replacement.size(); }
};

struct request;

/// The head that requests alike share (a provider's calls of one operation, streamed or not),
/// serialized once: where they go, and their request line and fields up to Content-Length,
/// which each request adds for its body.
struct prepared_head {
    http::verb method = http::verb::post;
    url target;
    std::string text;  // request line and fields, each line ending in CRLF
};

/// The head of `req` (its method, target and headers) prepared for requests alike. Host and
/// User-Agent are added unless given; Content-Length and Transfer-Encoding fields are left out
/// (each request's length is its own), and so is a field holding a line break (it would split
/// the head).
prepared_head prepare_head(const request& req);

struct request {
    http::verb method = http::verb::post;
    url target;
    std::vector<std::pair<std::string, std::string>> headers;  // Host, Content-Length are added
    /// When set, the head sent for this request instead of one serialized from `method`,
    /// `target` and `headers`, which are then not read.
    std::shared_ptr<const prepared_head> prepared;
    std::string body;
    std::optional<spliced_body> spliced;  // when set, the body instead of `body`
    timeouts limits;
    /// An event stream is asked for: a client waits for its first byte, so the request is
    /// sent at once, never held to the end of a busy turn (core/send_batching.hpp).
    bool stream = false;
};

struct client_options {
    /// Pool bound per scheme+host+port: above the concurrency a burst reaches, or every burst
    /// closes and reopens connections (costly, and each close holds a local port in
    /// TIME_WAIT). Idle ones are closed after idle_ttl.
    std::size_t max_idle_per_host = 4096;
    std::chrono::seconds idle_ttl{60};  // pooled connections older than this are closed
    std::size_t max_header_bytes = 64 * 1024;
    std::size_t max_body_bytes = 64 * 1024 * 1024;  // for read_all
    bool verify_peer = true;  // tests may turn it off for self-signed upstreams
    std::string ca_file;      // extra CA bundle (tests); empty: system store only
};

class exchange;

/// An upstream response whose header has arrived; the body is read incrementally.
/// Destroying it returns the connection to the pool when the body was read to the end and the
/// exchange allows keep-alive; otherwise the connection is closed.
/// Thread safety: none; use (and destroy) from the strand of the coroutine that called send().
/// Lifetime: the abort hook passed to send() stays installed while the response lives and is
/// cleared by its destructor, so the abort_signal must outlive it; destroy a response before
/// calling send() again with the same abort_signal.
class response {
public:
    /// Made by client::send(); holds the connection, the parser and the abort hook.
    explicit response(std::unique_ptr<exchange> state);
    ~response();
    response(const response&) = delete;
    response& operator=(const response&) = delete;

    int status() const noexcept;
    const core::header_fields& headers() const noexcept;

    /// Next piece of the body (chunked framing removed) as soon as any body bytes arrive. An
    /// empty view means the body is complete. The view is valid until the next call. Each call
    /// must finish within timeouts::idle and the total deadline. Errors: errc::upstream_timeout
    /// (idle or total deadline), errc::provider_error (reset, malformed, early EOF),
    /// asio::error::operation_aborted when aborted. After an error every later call returns
    /// the same failure.
    awaitable<result<std::string_view, failure>> read_some();

    /// read_some() in two steps, for a reader that keeps its own coroutine frame (a relayed
    /// stream): while body_pending(), `take_body(co_await wait_body())` is what read_some()
    /// gives, with one coroutine frame less per read (the connection's read is the only
    /// one). When not pending (the body ended, failed or was aborted), read_some() answers
    /// at once.
    bool body_pending() const noexcept;
    awaitable<error_code> wait_body();
    result<std::string_view, failure> take_body(const error_code& ec);

    /// Whole (remaining) body; errc::provider_error above client_options::max_body_bytes.
    awaitable<result<std::string, failure>> read_all();
    /// read_all() without waiting, when the bytes in hand hold the rest of the body (an
    /// answer that came with its header, usually): no coroutine frame. nullopt when the rest
    /// must be awaited: read_all() then goes on from what this took.
    std::optional<result<std::string, failure>> read_all_now();

    /// Close the connection now (pending reads finish with operation_aborted).
    void abort() noexcept;

private:
    std::unique_ptr<exchange> state_;
};

/// Thread safety: send() may be called from any thread/strand concurrently; the pool is
/// guarded by a mutex never held across a suspension. The awaiting coroutine must run on a
/// strand (or a single-threaded context): completion handlers and the deadline timers of its
/// connection run there. Sockets live on the io_context's executor, so a pooled connection
/// can serve any strand next. Lifetime: must outlive every response; the io_context must
/// outlive the client. Construction throws if client_options::ca_file cannot be loaded.
class client {
public:
    client(asio::io_context& ioc, client_options options = {});
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    /// Send a request and wait for the response header. `abort` (optional) closes the
    /// connection when raised (installed with abort_signal::on_abort; kept by the response);
    /// if it is already raised, fails at once. A reused pooled connection that fails before
    /// any response byte is retried once on a fresh connection. The User-Agent is
    /// `hadrian/<version>` unless the caller sets one; Host and Content-Length are computed
    /// (a caller's Content-Length / Transfer-Encoding is ignored, a caller's Host is kept).
    /// Errors: errc::provider_error (DNS, connect, TLS, reset, malformed),
    /// errc::upstream_timeout, asio::error::operation_aborted (aborted).
    awaitable<result<std::unique_ptr<response>, failure>> send(request req,
                                                               core::abort_signal* abort = nullptr);

    /// Idle connections currently pooled (all hosts); for tests and metrics.
    std::size_t idle_connections() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace hadrian::upstream
