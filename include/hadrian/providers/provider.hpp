/// The one interface every provider adapter implements. A provider takes an OpenAI-shaped
/// request (model already resolved, gateway extensions removed) and answers OpenAI-shaped
/// bodies or stream events, whatever its upstream speaks.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hadrian/core/abort_signal.hpp"
#include "hadrian/core/asio.hpp"
#include "hadrian/core/error.hpp"
#include "hadrian/core/function_ref.hpp"
#include "hadrian/core/json_scan.hpp"
#include "hadrian/sse/parser.hpp"
#include "hadrian/upstream/client.hpp"

namespace hadrian::providers {

enum class operation { chat_completions, responses, embeddings };

/// One upstream call.
struct call {
    operation op = operation::chat_completions;
    std::string model;    // upstream model id (after routing and aliases)
    nlohmann::json body;  // request body with `model` set and extensions removed
    /// When set, the exact body to send instead of `body` (then null): the client's text with
    /// only the model replaced, unchanged in memory. Only for providers whose takes_text(op)
    /// is true.
    std::optional<upstream::spliced_body> text;
    bool stream = false;
    /// Whether the caller reads a non-streaming answer's parsed `body` (a translating
    /// provider's Responses bridge). Otherwise a chat completion may come as `raw` text with
    /// its `figures` and no `body`.
    bool wants_body = false;
    core::abort_signal* abort = nullptr;  // raised when the client goes away
};

/// Runs of chat events that go to the client as the upstream framed them, without being
/// parsed into events and framed again (a pass-through stream, see event_stream::wire).
class wire_events {
public:
    /// Whether an event's data may pass unread (the relay's test: no usage object in it).
    using plain_test = core::function_ref<bool(std::string_view data)>;

    virtual ~wire_events() = default;

    /// Whether the next run is read from the upstream: then `take_run(co_await wait_run(),
    /// plain)` gives it. Otherwise (an event in another shape, a partial one, or the end) the
    /// next event is read with event_stream::next(). In two steps so that waiting on the
    /// upstream costs the stream no coroutine frame but the connection's read.
    virtual bool run_pending() const noexcept = 0;
    virtual awaitable<error_code> wait_run() = 0;
    /// The next bytes to write to the client as they are: whole events, each a JSON object
    /// on one `data: ` line, that `plain` accepts and that are neither `[DONE]` nor an error.
    /// Valid until the next call on the stream. Empty when the next event is to be read with
    /// event_stream::next().
    virtual result<std::string_view, core::api_error> take_run(const error_code& ec,
                                                               plain_test plain) = 0;
};

/// Events of a streaming answer, in the OpenAI wire shape of the operation: chat chunks as
/// `data` (no event name), Responses events with `event` = type.
/// Thread safety: none; used from the request's strand only.
class event_stream {
public:
    virtual ~event_stream() = default;

    /// The next event; `nullopt` at a clean, complete end. An error means the stream broke
    /// (the caller reports it in-band and never sends a success terminator).
    virtual awaitable<result<std::optional<sse::event>, core::api_error>> next() = 0;

    /// Whether next() answers without waiting on the upstream (the event, or the stream's
    /// error or end, is in hand). False (the default) when it cannot tell. A relay writes
    /// what it holds before a wait, and otherwise lets it go out with what follows.
    virtual bool next_in_hand() const noexcept { return false; }

    /// Runs of events that may pass as they came, read in turn with next(); null (the
    /// default) for a stream that builds its events, or while it cannot give runs.
    virtual wire_events* wire() noexcept { return nullptr; }
};

/// What the gateway reads of a chat completion that it passes through as text, found by
/// scanning the text (providers/chat_summary.hpp) instead of parsing it: read as a parse of
/// the whole text would read them.
struct chat_figures {
    bool usage = false;  // `usage` is an object
    std::int64_t prompt_tokens = 0;
    std::int64_t completion_tokens = 0;
    std::int64_t cached_tokens = 0;     // usage.prompt_tokens_details.cached_tokens
    std::int64_t reasoning_tokens = 0;  // usage.completion_tokens_details.reasoning_tokens
    std::string finish_reason;          // of choices[0], when a string
    core::json_span usage_span;         // where the `usage` value lies in the text
};

struct reply {
    int status = 200;
    std::string raw;  // non-streaming body exactly as it goes to the client
    /// The same body parsed; null for a chat completion passed through or written as `raw`
    /// text, which has `figures` instead.
    nlohmann::json body;
    std::optional<chat_figures> figures;
    std::unique_ptr<event_stream> events;  // set for streaming answers
};

/// Thread safety: send() is called concurrently from many strands; implementations keep no
/// per-request state in the object. Lifetime: owned by the registry for the process lifetime.
class provider {
public:
    virtual ~provider() = default;

    /// The configured name (`openai`, `test`, …).
    virtual const std::string& name() const noexcept = 0;

    /// Whether send() takes call::text for `op`: a chat body that needs no rewriting beyond
    /// the model can then go upstream as the client wrote it, neither copied nor serialized
    /// again, or be translated from its text without a parse.
    virtual bool takes_text(operation op) const noexcept { return false; }

    /// Perform the call. Errors carry the status the client should see: an upstream HTTP error
    /// keeps its status; transport failures are 502 provider_error.
    virtual awaitable<result<reply, core::api_error>> send(call c) = 0;

    /// Model names this provider advertises from its configuration (without the prefix).
    virtual std::vector<std::string> models() const = 0;

    /// Whether the upstream has a model listing that list_models() reads.
    virtual bool lists_models() const noexcept { return false; }

    /// The upstream's own model ids (for `/models` and health probes). The default, for
    /// upstreams without a listing, is a 501 not_supported error.
    virtual awaitable<result<std::vector<std::string>, core::api_error>> list_models(
        core::abort_signal* abort);
};

}  // namespace hadrian::providers
