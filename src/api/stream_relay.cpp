#include <nlohmann/json.hpp>

#include "hadrian/core/exception_text.hpp"
#include "hadrian/core/find_text.hpp"
#include "hadrian/core/json_scan.hpp"
#include "hadrian/core/log.hpp"
#include "hadrian/providers/chat_summary.hpp"
#include "hadrian/sse/writer.hpp"
#include "proxy.hpp"
#include "usage.hpp"

namespace hadrian::api {

namespace {

constexpr std::string_view usage_key = "\"usage\"";

/// The first `"usage"` in [p, end), or end. Searched for without its opening quote: a search
/// tells candidates by their first and last bytes, and a quote at both ends would make every
/// five-letter string of a chunk ("index", "delta", "model") one.
const char* find_usage_key(const char* p, const char* end) {
    if (end - p < static_cast<std::ptrdiff_t>(usage_key.size())) {
        return end;
    }
    const std::string_view tail = usage_key.substr(1);
    for (const char* at = p + 1; at != end; ++at) {
        at = core::find_text(at, end, tail);
        if (at == end) {
            break;
        }
        if (at[-1] == '"') {
            return at - 1;
        }
    }
    return end;
}

/// Whether some `"usage"` in `data` is followed by `:` and an object: true for any chunk with
/// a usage object (and for a few others, such as nested ones), false for `"usage": null`.
bool may_hold_usage_object(std::string_view data) {
    const char* p = data.data();
    const char* const end = p + data.size();
    while ((p = find_usage_key(p, end)) != end) {
        p += usage_key.size();
        const auto skip_space = [&] {
            while (p != end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
                ++p;
            }
        };
        skip_space();
        if (p != end && *p == ':') {
            ++p;
            skip_space();
            if (p != end && *p == '{') {
                return true;
            }
        }
    }
    return false;
}

/// Whether a chat chunk carries a usage object, the only chunks read further. With
/// `include_usage` every chunk has a `usage` member, null but in the last: a chunk whose
/// every `"usage"` is followed by something else than an object is passed at once; the
/// members of the others are found by a scan.
bool carries_usage(std::string_view data) {
    if (data.empty() || !may_hold_usage_object(data)) {
        return false;
    }
    bool object = false;
    core::json_members(data, [&](const core::json_member& m) {
        object = m.key == "usage" && m.value.front() == '{';
        return !object;
    });
    return object;
}

/// Whether the value text `v` is an empty array.
bool empty_array(std::string_view v) {
    if (v.size() < 2 || v.front() != '[' || v.back() != ']') {
        return false;
    }
    v = v.substr(1, v.size() - 2);
    return v.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

/// Whether a Responses event may carry a usage object (`response.completed`).
bool may_carry_usage(std::string_view data) {
    return find_usage_key(data.data(), data.data() + data.size()) != data.data() + data.size();
}

std::string chat_error_event(const core::api_error& err, std::string_view request_id) {
    return sse::format_event(err.body(request_id));
}

std::string responses_error_events(const core::api_error& err, std::string_view request_id,
                                   const std::string& response_id, std::int64_t seq) {
    nlohmann::json error_event = {{"type", "error"},
                                  {"code", err.code},
                                  {"message", err.message},
                                  {"param", err.param ? nlohmann::json(*err.param) : nullptr},
                                  {"sequence_number", seq}};
    nlohmann::json failed = {{"type", "response.failed"},
                             {"response",
                              {{"id", response_id},
                               {"object", "response"},
                               {"status", "failed"},
                               {"error", {{"code", err.code}, {"message", err.message}}},
                               {"output", nlohmann::json::array()}}},
                             {"sequence_number", seq + 1}};
    std::string out = sse::format_event(error_event.dump(), "error");
    sse::append_event(out, failed.dump(), "response.failed");
    return out;
}

/// What the gateway reads of an event before it is forwarded: a chat chunk's usage object, a
/// Responses event's response id and usage (its cost put in). Returns whether the event goes
/// to the client (a usage-only chunk the client did not ask for does not).
bool read_event(request_context& ctx, providers::operation op, sse::event& e,
                bool client_wants_usage, const config::model_pricing* pricing,
                std::string& response_id) {
    if (op == providers::operation::chat_completions) {
        if (!carries_usage(e.data)) {
            return true;
        }
        // Read by a scan, as for a whole answer: no document for the last chunk either.
        const auto figures = providers::chat_summary(e.data);
        if (!figures || !figures->usage) {
            return true;
        }
        ctx.usage = read_usage(*figures);
        const auto choices = core::json_member_value(e.data, "choices");
        const bool usage_only = !choices || empty_array(*choices);
        return client_wants_usage || !usage_only;
    }
    if (!response_id.empty() && !may_carry_usage(e.data)) {
        return true;
    }
    auto parsed = nlohmann::json::parse(e.data, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
        return true;
    }
    auto r = parsed.find("response");
    if (r == parsed.end() || !r->is_object()) {
        return true;
    }
    if (auto id = r->find("id"); id != r->end() && id->is_string()) {
        response_id = id->get<std::string>();
    }
    if (auto u = r->find("usage"); u != r->end() && u->is_object()) {
        ctx.usage = read_usage(op, *u);
        price_usage(ctx, pricing);
        if (ctx.cost_known) {
            (*u)["cost"] = static_cast<double>(ctx.cost_microcents) / 1e6;
            e.data = parsed.dump();
        }
    }
    return true;
}

/// Ends a stream that broke: the error in-band (chat: an error event; Responses: `error` and
/// `response.failed`), unless the client is gone.
awaitable<void> end_broken(request_context& ctx, bool chat, const core::api_error& err,
                           const std::string& response_id, std::int64_t forwarded) {
    if (err.kind == core::errc::client_disconnected || ctx.abort.aborted()) {
        ctx.error_code = "client_disconnected";
        co_return;
    }
    ctx.error_code = err.code;
    const std::string msg =
        chat ? chat_error_event(err, ctx.request_id)
             : responses_error_events(err, ctx.request_id, response_id, forwarded);
    co_await ctx.sink.finish(msg);
}

/// What a relay has told the client so far, for the error that ends a broken stream.
struct relay_progress {
    std::string response_id;
    std::int64_t forwarded = 0;
};

awaitable<void> relay_events(request_context& ctx, providers::operation op,
                             providers::event_stream& events, bool client_wants_usage,
                             const config::model_pricing* pricing, relay_progress& progress) {
    using clock = std::chrono::steady_clock;
    const bool chat = op == providers::operation::chat_completions;
    // A chunk without a usage object passes as it came (the only ones read further carry one).
    const auto plain = [](std::string_view data) { return !may_hold_usage_object(data); };
    std::string frame;
    std::string& response_id = progress.response_id;
    std::int64_t& forwarded = progress.forwarded;
    // The time spent waiting on the upstream and the client is summed here and added to the
    // request's once, at the end: the request's context stays out of the per-chunk path.
    struct waited_sum {
        request_context& ctx;
        clock::duration sum{};
        ~waited_sum() { ctx.waited += sum; }
    } waited{ctx};
    // A plain run costs two clock readings: when it was read, and when it was written (which
    // is when waiting for the next one starts).
    auto waiting_since = clock::now();
    // Whether the next event is in hand: then what is written waits for it (one write).
    bool in_hand = events.next_in_hand();
    bool holding = true;  // the sink holds something: at first the stream's header
    const std::string_view last = chat ? sse::done_event : std::string_view{};
    for (;;) {
        std::string_view out;
        providers::wire_events* wire = chat ? events.wire() : nullptr;
        if (holding && !in_hand) {
            // About to wait on the upstream: what is held goes out first.
            holding = false;
            error_code ec;
            if (!ctx.sink.write_now({})) {
                ec = co_await ctx.sink.flush();
            }
            if (ec) {
                ctx.error_code = "client_disconnected";
                ctx.abort.abort();
                co_return;
            }
        }
        if (wire != nullptr && wire->run_pending()) {
            const error_code read = co_await wire->wait_run();
            auto run = wire->take_run(read, plain);
            if (!run) {
                waited.sum += clock::now() - waiting_since;
                co_await end_broken(ctx, chat, run.error(), response_id, forwarded);
                co_return;
            }
            out = *run;
        }
        clock::time_point ready_at;  // when `out` is ready to write
        if (out.empty()) {
            auto ev = co_await events.next();
            waited.sum += clock::now() - waiting_since;
            if (!ev) {
                co_await end_broken(ctx, chat, ev.error(), response_id, forwarded);
                co_return;
            }
            if (!ev->has_value()) {
                auto ec = co_await ctx.sink.finish(last);
                if (ec) {
                    ctx.error_code = "client_disconnected";
                }
                co_return;
            }
            sse::event& e = **ev;
            if (!read_event(ctx, op, e, client_wants_usage, pricing, response_id)) {
                waiting_since = clock::now();
                in_hand = events.next_in_hand();
                continue;
            }
            frame.clear();
            sse::append_event(frame, e.data, e.event);
            out = frame;
            ++forwarded;
            ready_at = clock::now();
        } else {
            ready_at = clock::now();
            waited.sum += ready_at - waiting_since;
        }
        error_code ec;
        in_hand = events.next_in_hand();
        holding = in_hand;
        if (in_hand) {
            // More is in hand: this piece goes out with it, in one write.
            ctx.sink.hold(out);
        } else if (!ctx.sink.write_now(out)) {
            ec = co_await ctx.sink.flush();
        }
        waiting_since = clock::now();
        waited.sum += waiting_since - ready_at;
        if (ec) {
            ctx.error_code = "client_disconnected";
            ctx.abort.abort();
            co_return;
        }
    }
}

}  // namespace

awaitable<void> relay_stream(request_context& ctx, providers::operation op,
                             providers::event_stream& events, bool client_wants_usage,
                             const config::model_pricing* pricing) {
    relay_progress progress;
    std::string what;
    try {
        co_await relay_events(ctx, op, events, client_wants_usage, pricing, progress);
        co_return;
    } catch (...) {
        what = core::current_exception_text();
    }
    // The client has the stream's header (and maybe some of it): the error goes in-band,
    // and the stream ends in the documented way instead of a cut connection.
    static const auto log = core::logger("api");
    log->error("request_id={} internal error in a stream: {}", ctx.request_id, what);
    const auto err = core::api_error::make(core::errc::internal_error, "Internal server error");
    co_await end_broken(ctx, op == providers::operation::chat_completions, err,
                        progress.response_id, progress.forwarded);
}

}  // namespace hadrian::api
