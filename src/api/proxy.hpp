// The model endpoints (chat completions, responses, embeddings): validate, route, call the
// provider, answer or relay the stream.
#pragma once

#include <optional>

#include "hadrian/api/context.hpp"
#include "hadrian/core/json_scan.hpp"
#include "hadrian/providers/registry.hpp"
#include "hadrian/routing/route_memo.hpp"
#include "hadrian/routing/router.hpp"
#include "request_body.hpp"
#include "stored_responses.hpp"

namespace hadrian::api {

/// What each candidate is sent: the body as a document with its model set, or, for a provider
/// that takes text and a request that allows it (prepared_request::raw_model), `raw` with the
/// model replaced.
struct outgoing_body {
    std::string_view raw;                      // the client's body text
    std::optional<core::json_span> raw_model;  // where its `model` value lies
    /// The document; for a request prepared from its text alone (prepared_request::text_only),
    /// `raw` parsed when a candidate first needs it.
    const nlohmann::json& json() const;

    mutable nlohmann::json parsed;
    mutable bool text_only = false;
    /// The text goes with `"stream_options":{"include_usage":true}` after its model, and the
    /// document parsed from it with the same option (prepared_request::add_usage_option).
    bool add_usage_option = false;
};

/// Thread safety: immutable but for its memo of routes, which is thread-safe; handle() runs
/// concurrently.
class proxy_handler {
public:
    proxy_handler(const config::config& cfg, const routing::router& router,
                  const providers::registry& providers, const stored_responses& responses)
        : cfg_(cfg), router_(router), providers_(providers), responses_(responses) {}

    /// Validate, build the candidate chain, try candidates in order (retries with backoff per
    /// provider, circuit breakers, fallback on 5xx/408/429/transport failures — always before
    /// any byte reached the client), then answer or relay the stream.
    awaitable<void> handle(request_context& ctx, providers::operation op) const;

private:
    struct dispatched;
    /// The routes to try for `prepared`, in order: its model or models, the provider
    /// preferences, the key's allowed models and the pools. An error when none is left.
    result<routing::route_memo::chain, core::api_error> routes_for(
        const request_context& ctx, const prepared_request& prepared) const;
    /// Everything up to an answer: validation, routing, the candidates in turn. `out` (the
    /// caller's, so that the answer is built where it is used rather than moved through two
    /// coroutine frames) stays empty when the request was answered already (an error) or the
    /// client went away.
    awaitable<void> dispatch(request_context& ctx, providers::operation op,
                             std::optional<dispatched>& out) const;
    /// A route's provider, circuit breaker and retry policy (provider null when one is
    /// missing).
    struct candidate {
        providers::provider* provider = nullptr;
        providers::circuit_breaker* breaker = nullptr;
        const config::retry_config* retry = nullptr;
    };
    candidate candidate_of(const routing::route& route) const;
    /// After a failed try of `c` (its breaker told): the delay before the next try, or none
    /// (`failure` is then the answer; a client gone meanwhile makes it client_disconnected).
    std::optional<std::chrono::milliseconds> retry_delay(request_context& ctx,
                                                         const routing::route& route,
                                                         const candidate& c,
                                                         core::api_error& failure,
                                                         std::uint32_t tries) const;
    /// A stream's answer relayed; `answer` is the caller's, which outlives the relay (by
    /// reference: a copy would sit in both frames). `turn` (may be null): a Responses turn to
    /// echo and store (stored_responses.hpp).
    awaitable<void> relay(request_context& ctx, providers::operation op,
                          const routing::route& route, providers::reply& answer,
                          bool client_wants_usage, stored_turn* turn) const;
    /// A whole answer as it goes to the client: usage and cost read into `ctx`, the cost
    /// spliced in, the headers. Never waits: the handler's frame sends it.
    struct whole_answer {
        int status = 0;
        header_list headers;
        std::string body;
    };
    whole_answer finish_whole(request_context& ctx, providers::operation op,
                              const routing::route& route, providers::reply answer,
                              stored_turn* turn) const;

    const config::config& cfg_;
    const routing::router& router_;
    const providers::registry& providers_;
    const stored_responses& responses_;
    mutable routing::route_memo routes_;  // the chains of plain requests, by model
};

/// Relay a provider's event stream to the client: one write in flight, the usage chunk only
/// when the client asked for it, `[DONE]` only after a clean end, an in-band error otherwise.
/// `pricing` (may be null) prices the usage; the cost goes into the forwarded usage chunk.
awaitable<void> relay_stream(request_context& ctx, providers::operation op,
                             providers::event_stream& events, bool client_wants_usage,
                             const config::model_pricing* pricing);

/// Compute the cost of ctx.usage with `pricing` into ctx (no-op without a price).
void price_usage(request_context& ctx, const config::model_pricing* pricing);

}  // namespace hadrian::api
