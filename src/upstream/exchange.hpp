// One request/response exchange: connection set-up, request, header, incremental body, and
// the connection's fate (back to the pool or closed) when it ends.
#pragma once

#include <array>
#include <boost/beast/http/fields.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hadrian/core/abort_signal.hpp"
#include "hadrian/upstream/client.hpp"
#include "upstream/connection.hpp"

namespace hadrian::upstream {

class dns_lookup;
class pool;

/// What an exchange needs from its client; shared, immutable.
struct exchange_context {
    asio::any_io_executor io;  // the io_context's executor: sockets live there
    std::shared_ptr<asio::ssl::context> tls;
    std::shared_ptr<pool> idle;
    std::size_t max_header_bytes = 0;
    std::size_t max_body_bytes = 0;
    bool verify_peer = true;
};

/// State behind client::send() and the response it returns.
/// Thread safety: none; lives on the strand of the coroutine that called send(). The abort
/// hook (installed in the constructor, cleared in the destructor) runs on that strand too.
/// Lifetime: owned by send() until the header arrives, then by the response.
class exchange {
public:
    /// `req` is taken by reference: its body and splice are moved from it, nothing else.
    exchange(const exchange_context& ctx, request&& req, core::abort_signal* abort);
    ~exchange();
    exchange(const exchange&) = delete;
    exchange& operator=(const exchange&) = delete;

    /// Connection (pooled or new), request, response header: the response, which owns `self`
    /// from then on. A pooled connection that fails before any response byte is replaced by a
    /// new one once.
    static awaitable<result<std::unique_ptr<response>, failure>> send(
        std::unique_ptr<exchange> self);

    int status() const noexcept;
    const core::header_fields& headers() const noexcept;
    awaitable<result<std::string_view, failure>> read_some();
    /// read_some() in steps (see response::body_pending()).
    bool body_pending() const noexcept;
    awaitable<error_code> wait_body();
    result<std::string_view, failure> take_body(const error_code& ec);
    awaitable<result<std::string, failure>> read_all();
    std::optional<result<std::string, failure>> read_all_now();
    /// Closes the connection; pending and later operations fail with operation_aborted.
    void abort() noexcept;

private:
    awaitable<std::optional<failure>> open();
    /// The steps of one attempt of send() that do not wait: before the request is written,
    /// after it was (`written`: how), after the header was read (`header`: how).
    std::optional<failure> begin_attempt();
    std::optional<failure> sent(const error_code& written);
    std::optional<failure> header_read(const error_code& header);
    /// The request body as written: the body, or the three pieces of a spliced one.
    std::span<const std::string_view> body_pieces(std::array<std::string_view, 3>& pieces);
    /// The bytes of the request, head and body.
    std::size_t request_size() const noexcept;
    /// The connection's idle deadline set for the next body read; false, with `ec` set, when
    /// the total deadline has passed.
    bool arm_body_read(error_code& ec);
    /// arm_body_read(), and the scratch window set up for the next body bytes.
    bool start_body_read(error_code& ec);
    /// start_body_read() for read_all(): the window is the room at the end of its body.
    bool start_all_read(error_code& ec);
    /// Trims the body to what start_all_read()'s window received, and closes the window.
    void close_all_window() noexcept;
    /// The body read by read_all() so far, trimmed to what the read settled with `ec` put in
    /// its window. A failure when the read failed or the body grew too large.
    std::optional<failure> append_piece(const error_code& ec);
    /// `now + op`, or the total deadline when that comes first.
    clock::time_point deadline_after(std::chrono::milliseconds op,
                                     clock::time_point now = clock::now());
    failure fail(const error_code& ec, std::string_view stage, std::string_view timeout_text);
    failure fail_body(failure f);
    /// What read_some() gives without reading: the body's error, the abort, or its end.
    result<std::string_view, failure> settled();
    /// The answer has begun: the request is never sent again (and a long stream should not
    /// hold it).
    void release_request() noexcept;
    /// Where the request goes and its head as sent, from `prepared` (constructor only).
    void set_head(const prepared_head& prepared);

    exchange_context ctx_;
    pool_key key_;
    std::string head_text_;  // the request as sent, kept for one resend on a new connection
    std::string body_;
    std::optional<spliced_body> spliced_;
    bool head_ = false;
    bool stream_ = false;
    timeouts limits_;
    clock::time_point total_deadline_;
    bool total_bound_ = false;  // the current operation's deadline is the total one
    core::abort_signal* abort_;
    bool aborted_ = false;
    bool retryable_ = false;  // the last attempt failed before any response byte
    std::shared_ptr<dns_lookup> dns_;
    std::shared_ptr<connection> conn_;
    std::optional<response_parser> parser_;
    std::unique_ptr<char[]> scratch_;  // body bytes handed out by read_some (not zeroed)
    std::optional<failure> body_error_;
    std::string all_;  // read_all()'s body so far, and the window of its read
    bool all_reserved_ = false;
    bool all_window_ = false;  // the parser's window is the end of all_
};

}  // namespace hadrian::upstream
