/// What a request carries through the middleware pipeline, and the sink its answer goes to.
#pragma once

#include <boost/beast/http/message.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hadrian/api/number_fields.hpp"
#include "hadrian/auth/key_hash_memo.hpp"
#include "hadrian/core/abort_signal.hpp"
#include "hadrian/core/asio.hpp"
#include "hadrian/core/error.hpp"
#include "hadrian/core/http_request.hpp"
#include "hadrian/limits/budget.hpp"
#include "hadrian/limits/concurrency_limiter.hpp"
#include "hadrian/limits/rate_limiter.hpp"
#include "hadrian/storage/records.hpp"

namespace hadrian::api {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct prepared_memo;  // api/request_body.hpp

/// Where a handler writes its answer; implemented by the server's session.
/// Either `send` once, or `start_stream`, any number of `hold`/`write`, then `finish`.
/// Every call returns an error when the client is gone; the handler then stops.
/// A stream's header and held pieces go out with the next write: fewer system calls and
/// packets when several pieces are in hand at once. Whoever is about to wait on something
/// else than the client must write what is held first (`write_now({})`, then `flush()`).
/// Thread safety: none; used on the connection's strand only.
class response_sink {
public:
    virtual ~response_sink() = default;

    /// A complete response with a body. `X-Request-Id` is added by the sink. Held to the end
    /// of the event loop's turn while the gateway is busy (core::send_batching), then
    /// send_now(), then flush() when the socket did not take it all.
    awaitable<error_code> send(int status, header_list headers, std::string body,
                               std::string_view content_type = "application/json");
    /// send() without its waits, for a caller that makes them in its own frame (the proxy's
    /// answers: a coroutine frame fewer each): writes what the socket takes now; true when
    /// that was all of it, else the sink keeps the rest and flush() must be awaited.
    virtual bool send_now(int status, header_list headers, std::string body,
                          std::string_view content_type = "application/json") = 0;
    /// Response header of an SSE stream (chunked, text/event-stream), held to go out with
    /// the first piece.
    virtual void start_stream(int status, header_list headers) = 0;
    /// One piece of the stream, held to go out with the next one.
    virtual void hold(std::string_view data) = 0;
    /// What is held and one piece (which may be empty), written without waiting: true when
    /// the socket took all of it. Otherwise the sink keeps the rest (the client's socket is
    /// full, or the client is gone) and flush() must be awaited before anything else is
    /// written: at most one piece waits (backpressure). A relayed event costs no coroutine
    /// frame this way.
    virtual bool write_now(std::string_view data) = 0;
    /// Writes what write_now() or send_now() kept, waiting for room; an error when the
    /// client is gone.
    virtual awaitable<error_code> flush() = 0;
    /// write_now(), then flush() when the piece did not all go out.
    awaitable<error_code> write(std::string_view data);
    /// What is held, a last piece (which may be empty) and the end of the stream body.
    virtual awaitable<error_code> finish(std::string_view last = {}) = 0;
    /// Whether anything was sent yet (a response or a stream header).
    virtual bool started() const noexcept = 0;
};

/// Token counts of an answer, as OpenAI reports them.
struct token_usage {
    std::int64_t input = 0;
    std::int64_t output = 0;
    std::int64_t cached = 0;
    std::int64_t reasoning = 0;
    bool known = false;
};

/// What the rate limiter holds for a request until its answer: a concurrency slot, and the
/// token counts to correct to the tokens used.
struct rate_hold {
    std::string subject;
    limits::token_reservation tokens;
    std::optional<limits::concurrency_permit> permit;
};

/// One request's state, owned by the session for the request's lifetime.
struct request_context {
    request_context(core::http_request& r, response_sink& s, std::string ip,
                    auth::key_hash_memo& memo)
        : req(r),
          sink(s),
          key_memo(memo),
          client_ip(std::move(ip)),
          started(std::chrono::steady_clock::now()) {}

    core::http_request& req;
    response_sink& sink;
    /// The connection's: the hash of the key its last request presented.
    auth::key_hash_memo& key_memo;
    std::string request_id;
    std::string client_ip;
    std::chrono::steady_clock::time_point started;
    core::abort_signal abort;

    /// The authenticated key (null without auth or for the bootstrap key).
    std::shared_ptr<const storage::api_key_record> key;
    /// Admin rights: a key with the admin scope, or the bootstrap key on the admin API.
    bool admin = false;

    /// Headers added to whatever answer this request gets (set by middleware and the
    /// handler): the numbers (rate-limit state, token counts, cost), then the rest.
    number_fields response_numbers;
    header_list response_headers;

    /// The body of a model call, read once: by the rate limiter when it needs the output
    /// bound, then taken by the handler (prepared_for, take_prepared).
    std::shared_ptr<prepared_memo> prepared;

    /// Held by the limit steps from before the handler until after it (api/rate_limit.cpp,
    /// api/budget.cpp).
    std::optional<rate_hold> rate;
    std::optional<limits::budget_reservation> budget;

    // Filled in along the way, for the access log, usage records and metrics.
    int status = 0;
    std::string model;
    std::string provider;
    std::string error_code;
    token_usage usage;
    std::int64_t cost_microcents = 0;
    bool cost_known = false;
    bool streamed = false;
    /// Time spent waiting on upstreams (calls, stream reads, retry back-offs) and, for
    /// streams, on the client's socket: what is left of the duration is the gateway's own.
    std::chrono::steady_clock::duration waited{};
};

}  // namespace hadrian::api
