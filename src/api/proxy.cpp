#include "proxy.hpp"

#include <algorithm>
#include <random>
#include <utility>

#include "hadrian/auth/model_pattern.hpp"
#include "hadrian/core/ascii_case.hpp"
#include "hadrian/core/log.hpp"
#include "hadrian/core/send_batching.hpp"
#include "hadrian/core/sleep.hpp"
#include "hadrian/limits/cost.hpp"
#include "hadrian/providers/monitor.hpp"
#include "hadrian/routing/balance.hpp"
#include "hadrian/routing/fallback_chain.hpp"
#include "request_body.hpp"
#include "respond.hpp"
#include "usage.hpp"

namespace hadrian::api {

namespace {

using core::api_error;
using core::errc;

/// An event stream whose first event was read already (to fall over before the client saw a
/// byte); it yields that event first.
class prefetched_stream final : public providers::event_stream {
public:
    prefetched_stream(std::unique_ptr<providers::event_stream> inner,
                      std::optional<sse::event> first)
        : inner_(std::move(inner)), first_(std::move(first)) {}

    // Not a coroutine: after the first event, an event costs no extra coroutine frame.
    awaitable<result<std::optional<sse::event>, api_error>> next() override {
        if (!used_) {
            used_ = true;
            return first();
        }
        return inner_->next();
    }

    bool next_in_hand() const noexcept override { return !used_ || inner_->next_in_hand(); }

    // The inner stream's runs once the first event is out.
    providers::wire_events* wire() noexcept override { return used_ ? inner_->wire() : nullptr; }

private:
    awaitable<result<std::optional<sse::event>, api_error>> first() { co_return std::move(first_); }

    std::unique_ptr<providers::event_stream> inner_;
    std::optional<sse::event> first_;
    bool used_ = false;
};

std::vector<std::string> string_list(const nlohmann::json& obj, const char* key) {
    std::vector<std::string> out;
    if (auto it = obj.find(key); it != obj.end() && it->is_array()) {
        for (const auto& v : *it) {
            if (v.is_string()) {
                out.push_back(v.get<std::string>());
            }
        }
    }
    return out;
}

routing::provider_preferences preferences_of(const nlohmann::json& prefs) {
    routing::provider_preferences out;
    if (!prefs.is_object()) {
        return out;
    }
    out.order = string_list(prefs, "order");
    out.only = string_list(prefs, "only");
    out.ignore = string_list(prefs, "ignore");
    if (auto it = prefs.find("allow_fallbacks"); it != prefs.end() && it->is_boolean()) {
        out.allow_fallbacks = it->get<bool>();
    }
    return out;
}

/// Another candidate may succeed where this one failed: server errors, timeouts, connection
/// failures, an open circuit, and 429 (another provider is not rate limited). Not other 4xx.
bool falls_over(const api_error& e) {
    return e.status >= 500 || e.status == 408 || e.status == 429;
}

bool retryable(const api_error& e, const config::retry_config& retry) {
    const auto& codes = retry.retryable_status_codes;
    return std::find(codes.begin(), codes.end(), e.status) != codes.end();
}

std::optional<std::chrono::milliseconds> retry_after(const api_error& e) {
    for (const auto& [k, v] : e.headers) {
        if (core::iequals(k, "Retry-After")) {
            char* end = nullptr;
            const double secs = std::strtod(v.c_str(), &end);
            if (end != v.c_str() && secs >= 0) {
                return std::chrono::milliseconds(static_cast<std::int64_t>(secs * 1000));
            }
        }
    }
    return std::nullopt;
}

/// Exponential backoff with jitter, or the upstream's Retry-After; never above max_delay_ms.
std::chrono::milliseconds backoff(const config::retry_config& retry, std::uint32_t attempt,
                                  const api_error& e) {
    const double cap = retry.max_delay_ms;
    if (auto after = retry_after(e)) {
        return std::chrono::milliseconds(
            static_cast<std::int64_t>(std::min<double>(after->count(), cap)));
    }
    double delay = retry.initial_delay_ms * std::pow(retry.backoff_multiplier, attempt);
    thread_local std::mt19937 rng{std::random_device{}()};
    std::uniform_real_distribution<double> spread(-retry.jitter, retry.jitter);
    delay *= 1.0 + spread(rng);
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::clamp(delay, 0.0, cap)));
}

/// A uniform draw in [0, 1) from a per-thread generator (no shared state, no lock).
double uniform_draw() {
    thread_local std::minstd_rand rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

/// Counts a request in flight on a provider for as long as it lives.
class in_flight_guard {
public:
    explicit in_flight_guard(std::atomic<std::int32_t>* counter) : counter_(counter) {
        if (counter_ != nullptr) {
            counter_->fetch_add(1, std::memory_order_relaxed);
        }
    }
    ~in_flight_guard() { release(); }
    /// The provider is done with the request (earlier than the guard's end).
    void release() noexcept {
        if (counter_ != nullptr) {
            counter_->fetch_sub(1, std::memory_order_relaxed);
            counter_ = nullptr;
        }
    }
    in_flight_guard(in_flight_guard&& other) noexcept
        : counter_(std::exchange(other.counter_, nullptr)) {}
    in_flight_guard(const in_flight_guard&) = delete;
    in_flight_guard& operator=(const in_flight_guard&) = delete;
    in_flight_guard& operator=(in_flight_guard&&) = delete;

private:
    std::atomic<std::int32_t>* counter_;
};

[[gnu::cold]] api_error provider_missing(const std::string& provider) {
    return api_error::make(errc::routing_error, "Provider '" + provider + "' not found");
}

[[gnu::cold]] api_error client_gone() {
    return api_error::make(errc::client_disconnected, "client went away");
}

[[gnu::cold]] api_error circuit_open(const std::string& provider) {
    return api_error::make(errc::circuit_breaker_open,
                           "Provider '" + provider + "' is unavailable (circuit breaker open)");
}

/// Set the body of `call` for `model`: the client's text with only the model replaced when
/// both the request and the provider allow it, else a copy of the parsed body.
void set_body(providers::call& call, const providers::provider& provider, const outgoing_body& body,
              const std::string& model) {
    if (body.raw_model && provider.takes_text(call.op)) {
        std::string value = core::json_quote(model);
        if (body.add_usage_option) {
            value += R"(,"stream_options":{"include_usage":true})";
        }
        call.text = upstream::spliced_body{body.raw, body.raw_model->offset, body.raw_model->size,
                                           std::move(value)};
        return;
    }
    call.body = body.json();
    call.body["model"] = model;
}

}  // namespace

const nlohmann::json& outgoing_body::json() const {
    if (text_only) {
        parsed = nlohmann::json::parse(raw);  // checked to be valid JSON already
        if (add_usage_option) {
            parsed["stream_options"]["include_usage"] = true;
        }
        text_only = false;
    }
    return parsed;
}

namespace {

/// The call to `route`'s provider for one try.
providers::call call_for(request_context& ctx, providers::operation op,
                         const providers::provider& provider, const routing::route& route,
                         const outgoing_body& body, bool stream) {
    providers::call call;
    call.op = op;
    call.model = route.model;
    set_body(call, provider, body, route.model);
    call.stream = stream;
    call.abort = &ctx.abort;
    return call;
}

}  // namespace

proxy_handler::candidate proxy_handler::candidate_of(const routing::route& route) const {
    candidate c{providers_.find(route.provider), providers_.breaker(route.provider), nullptr};
    if (const config::provider_config* pcfg = providers_.config_of(route.provider)) {
        c.retry = &pcfg->retry;
    }
    if (c.provider == nullptr || c.breaker == nullptr || c.retry == nullptr) {
        c.provider = nullptr;
    }
    return c;
}

std::optional<std::chrono::milliseconds> proxy_handler::retry_delay(request_context& ctx,
                                                                    const routing::route& route,
                                                                    const candidate& c,
                                                                    api_error& failure,
                                                                    std::uint32_t tries) const {
    if (failure.kind == errc::client_disconnected || ctx.abort.aborted()) {
        failure = client_gone();
        return std::nullopt;
    }
    if (providers::counts_against_provider(failure)) {
        c.breaker->record_failure();
    } else {
        c.breaker->record_success();  // the provider answered; the request was at fault
    }
    const auto& retry = *c.retry;
    if (!retry.enabled || tries >= retry.max_retries || !retryable(failure, retry)) {
        return std::nullopt;
    }
    const auto delay = backoff(retry, tries, failure);
    core::logger("api")->info(
        "request_id={} provider={} attempt {} failed ({} {}); retrying in {} ms", ctx.request_id,
        route.provider, tries + 1, failure.status, failure.code, delay.count());
    return delay;
}

/// A request sent and answered: what relaying the answer needs.
struct proxy_handler::dispatched {
    routing::route route;
    providers::reply answer;
    bool client_wants_usage = false;
    std::optional<stored_turn> turn;
    in_flight_guard counted;  // the request counts against its provider until answered
};

awaitable<void> proxy_handler::handle(request_context& ctx, providers::operation op) const {
    // Preparing and sending run in a coroutine of their own: what they hold (the parsed
    // request, the routes) is freed before the answer, maybe a minutes-long stream, is
    // relayed under this frame.
    std::optional<dispatched> sent;
    co_await dispatch(ctx, op, sent);
    if (!sent) {
        co_return;
    }
    stored_turn* turn = sent->turn ? &*sent->turn : nullptr;
    if (sent->answer.events) {
        co_await relay(ctx, op, sent->route, sent->answer, sent->client_wants_usage, turn);
        co_return;
    }
    // A whole answer is in: the provider is no longer busy with this request, whatever
    // writing it to the client takes (a stream keeps it busy until its end).
    sent->counted.release();
    whole_answer whole = finish_whole(ctx, op, sent->route, std::move(sent->answer), turn);
    // response_sink::send() in this frame: no frame of its own per answer.
    if (core::send_batching::busy()) {
        co_await core::end_of_turn();
    }
    if (!ctx.sink.send_now(whole.status, std::move(whole.headers), std::move(whole.body))) {
        co_await ctx.sink.flush();
    }
}

namespace {

/// Whether a route of `chain` goes to a pool, whose member is drawn per request.
bool has_pool(const config::providers_config& providers, const std::vector<routing::route>& chain) {
    return std::any_of(chain.begin(), chain.end(), [&](const routing::route& r) {
        const config::provider_config* p = providers.find(r.provider);
        return p != nullptr && p->type == config::provider_type::pool;
    });
}

}  // namespace

result<routing::route_memo::chain, api_error> proxy_handler::routes_for(
    const request_context& ctx, const prepared_request& prepared) const {
    // A request that names one model and no provider preferences routes as every such request
    // for that model does: its chain is built once and shared (routing::route_memo).
    const bool plain = prepared.models.empty() && !prepared.provider_prefs.is_object();
    routing::route_memo::chain chain = plain ? routes_.find(prepared.model) : nullptr;
    if (!chain) {
        auto candidates = router_.candidates(prepared.model, prepared.models);
        if (!candidates) {
            return std::move(candidates.error());
        }
        auto built = routing::build_chain(router_, cfg_.providers, std::move(*candidates),
                                          preferences_of(prepared.provider_prefs));
        chain = plain ? routes_.remember(prepared.model, std::move(built))
                      : std::make_shared<const std::vector<routing::route>>(std::move(built));
    }
    const bool key_models = ctx.key && !ctx.key->allowed_models.empty();
    if (!key_models && !has_pool(cfg_.providers, *chain) && !chain->empty()) {
        return chain;
    }
    std::vector<routing::route> own = *chain;
    if (key_models) {
        // A key's own model list: `provider/model` as routed, or the name as the client sent it.
        std::erase_if(own, [&](const routing::route& r) {
            return !auth::model_allowed(ctx.key->allowed_models, r.provider + "/" + r.model) &&
                   !auth::model_allowed(ctx.key->allowed_models, r.requested);
        });
        if (own.empty()) {
            return api_error::make(errc::model_not_allowed,
                                   "This API key may not use the requested model", "model");
        }
    }
    own = routing::expand_pools(
        router_, cfg_.providers, std::move(own),
        [this](const std::string& name) {
            routing::member_state s;
            if (auto* breaker = providers_.breaker(name)) {
                s.healthy = breaker->current() != providers::circuit_breaker::state::open;
            }
            if (auto* n = providers_.in_flight(name)) {
                s.in_flight = n->load(std::memory_order_relaxed);
            }
            return s;
        },
        uniform_draw());
    if (own.empty()) {
        return api_error::make(errc::routing_error,
                               "No provider is left for this request after the provider "
                               "preferences",
                               "provider");
    }
    return std::make_shared<const std::vector<routing::route>>(std::move(own));
}

awaitable<void> proxy_handler::dispatch(request_context& ctx, providers::operation op,
                                        std::optional<dispatched>& out) const {
    // Every local of a coroutine, and every temporary of an expression that waits, lives in
    // its frame: heap memory each request touches for the first time. What does not wait is
    // done in plain functions, on the thread's stack, and one `failure` holds every error.
    std::optional<api_error> failure;
    auto prepared = take_prepared(ctx, op);
    // Stored responses: `previous_response_id` becomes input before routing, so that every
    // candidate sees the whole conversation (stored_responses.hpp).
    std::optional<stored_turn> turn;
    if (!prepared) {
        failure = std::move(prepared.error());
    } else if (op == providers::operation::responses) {
        auto begun = co_await responses_.begin(ctx, prepared->body);
        if (begun) {
            turn = std::move(*begun);
        } else {
            failure = std::move(begun.error());
        }
    }
    routing::route_memo::chain chain;
    if (!failure) {
        auto routed = routes_for(ctx, *prepared);
        if (routed) {
            chain = std::move(*routed);
        } else {
            failure = std::move(routed.error());
        }
    }
    if (failure) {
        co_await send_error(ctx, *failure);
        co_return;
    }
    ctx.streamed = prepared->stream;
    const outgoing_body outgoing{ctx.req.body(), prepared->raw_model, std::move(prepared->body),
                                 prepared->text_only, prepared->add_usage_option};
    if (prepared->stream && op == providers::operation::chat_completions && !prepared->text_only) {
        // Always learn the token counts; the usage chunk is forwarded only when asked for.
        // (A body passing through as text asks for them already, or is given the option.)
        outgoing.parsed["stream_options"]["include_usage"] = true;
    }

    for (const routing::route& route : *chain) {
        ctx.provider = route.provider;
        ctx.model = route.model;
        in_flight_guard counted(providers_.in_flight(route.provider));
        // The candidate with its provider's retry policy and circuit breaker, in this frame:
        // a stream's first event is read before success is declared, so that a stream that
        // breaks at once still falls over (no byte went to the client yet).
        const candidate c = candidate_of(route);
        if (c.provider == nullptr) {
            failure = provider_missing(route.provider);
        }
        for (std::uint32_t tries = 0; c.provider != nullptr; ++tries) {
            if (!c.breaker->allow()) {
                failure = circuit_open(route.provider);
                break;
            }
            const auto sent_at = std::chrono::steady_clock::now();
            auto answer = co_await c.provider->send(
                call_for(ctx, op, *c.provider, route, outgoing, prepared->stream));
            failure.reset();
            if (answer && answer->events) {
                auto first = co_await answer->events->next();
                if (first) {
                    answer->events = std::make_unique<prefetched_stream>(std::move(answer->events),
                                                                         std::move(*first));
                } else {
                    failure = std::move(first.error());
                }
            } else if (!answer) {
                failure = std::move(answer.error());
            }
            ctx.waited += std::chrono::steady_clock::now() - sent_at;
            if (!failure) {
                c.breaker->record_success();
                // The request is sent for good: its text is not needed while the answer (maybe
                // a minutes-long stream) is relayed, and may be large.
                std::string().swap(ctx.req.body());
                out.emplace(route, std::move(*answer), prepared->client_wants_usage,
                            std::move(turn), std::move(counted));
                co_return;
            }
            const auto delay = retry_delay(ctx, route, c, *failure, tries);
            if (!delay) {
                break;
            }
            const auto slept_at = std::chrono::steady_clock::now();
            const bool slept = co_await core::sleep_for(*delay, &ctx.abort);
            ctx.waited += std::chrono::steady_clock::now() - slept_at;
            if (!slept) {
                failure = client_gone();
                break;
            }
        }
        if (failure->kind == errc::client_disconnected) {
            ctx.status = 499;
            ctx.error_code = "client_disconnected";
            co_return;
        }
        if (!falls_over(*failure)) {
            break;
        }
    }
    co_await send_error(ctx, *failure);
}

namespace {

header_list answer_headers(const routing::route& route) {
    header_list headers;
    headers.reserve(3);  // provider, model, finish reason
    headers.emplace_back("X-Provider", route.provider);
    headers.emplace_back("X-Model", route.model);
    return headers;
}

}  // namespace

awaitable<void> proxy_handler::relay(request_context& ctx, providers::operation op,
                                     const routing::route& route, providers::reply& answer,
                                     bool client_wants_usage, stored_turn* turn) const {
    const config::model_pricing* pricing = limits::find_pricing(cfg_, route.provider, route.model);
    ctx.status = answer.status;
    // The header goes out with the first event, which is in hand (see dispatch()).
    ctx.sink.start_stream(answer.status, answer_headers(route));
    if (turn != nullptr) {
        answer.events = responses_.watch(std::move(*turn), ctx, std::move(answer.events), pricing);
    }
    co_await relay_stream(ctx, op, *answer.events, client_wants_usage, pricing);
}

proxy_handler::whole_answer proxy_handler::finish_whole(request_context& ctx,
                                                        providers::operation op,
                                                        const routing::route& route,
                                                        providers::reply answer,
                                                        stored_turn* turn) const {
    const config::model_pricing* pricing = limits::find_pricing(cfg_, route.provider, route.model);
    whole_answer out{answer.status, answer_headers(route), {}};
    // A chat completion passed through as text comes with its figures instead of a parse.
    const providers::chat_figures* figures = answer.figures ? &*answer.figures : nullptr;
    if (figures != nullptr) {
        ctx.usage = read_usage(*figures);
    } else if (auto u = answer.body.find("usage"); u != answer.body.end()) {
        ctx.usage = read_usage(op, *u);
    }
    add_usage_headers(ctx.response_numbers, ctx.usage);
    price_usage(ctx, pricing);
    std::string raw = std::move(answer.raw);
    if (ctx.cost_known) {
        ctx.response_numbers.add("X-Cost-Microcents", ctx.cost_microcents);
        const double cost = static_cast<double>(ctx.cost_microcents) / 1e6;
        // The parsed body gets the cost too: a stored Responses turn is written from it.
        auto u = answer.body.find("usage");
        const bool priced_body = u != answer.body.end() && u->is_object();
        if (priced_body) {
            (*u)["cost"] = cost;
        }
        const auto usage_at = figures != nullptr && figures->usage
                                  ? std::optional(figures->usage_span)
                                  : std::nullopt;
        if (!raw.empty() && !splice_usage_cost(raw, ctx.cost_microcents, usage_at) && priced_body) {
            raw.clear();  // re-serialized below, with the cost
        }
    }
    if (auto fr = figures != nullptr ? std::move(answer.figures->finish_reason)
                                     : read_finish_reason(op, answer.body);
        !fr.empty()) {
        out.headers.emplace_back("X-Finish-Reason", std::move(fr));
    }
    if (turn != nullptr) {
        raw = responses_.finish(*turn, ctx, answer.body, std::move(raw));
    }
    ctx.status = answer.status;
    if (raw.empty()) {
        raw = answer.body.dump();
    }
    out.body = std::move(raw);
    return out;
}

void price_usage(request_context& ctx, const config::model_pricing* pricing) {
    if (pricing == nullptr || !ctx.usage.known) {
        return;
    }
    const limits::token_usage u{ctx.usage.input, ctx.usage.output, ctx.usage.cached, 0,
                                ctx.usage.reasoning};
    ctx.cost_microcents = limits::cost_microcents(*pricing, u);
    ctx.cost_known = true;
}

}  // namespace hadrian::api
