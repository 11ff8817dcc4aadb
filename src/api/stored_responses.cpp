#include "stored_responses.hpp"

#include "hadrian/core/log.hpp"
#include "proxy.hpp"
#include "respond.hpp"
#include "usage.hpp"

namespace hadrian::api {

namespace {

using json = nlohmann::json;
using core::api_error;
using core::errc;
namespace rc = response_context;

using begin_result = result<std::optional<stored_turn>, api_error>;

const std::shared_ptr<spdlog::logger>& log() {
    static const auto l = core::logger("api");
    return l;
}

std::string dump(const json& value) {
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string string_field(const json& obj, const char* key) {
    auto it = obj.find(key);
    if (it != obj.end() && it->is_string()) {
        return it->get<std::string>();
    }
    return {};
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// Whose responses this request may see: its key's, or every one with auth off.
std::optional<std::string> owner_of(const request_context& ctx) {
    if (ctx.key) {
        return ctx.key->id;
    }
    return std::nullopt;
}

api_error invalid(std::string message, std::string param) {
    return api_error::make(errc::validation_error, std::move(message), std::move(param));
}

api_error response_not_found(std::string_view id) {
    std::string message = "Response with id '";
    message += id;
    message += "' not found.";
    return api_error::make(errc::not_found, std::move(message));
}

api_error storage_failed(std::string what) {
    return api_error::make(errc::internal_error, std::move(what));
}

/// `response.created`, `response.completed`, … : the events that carry the response object
/// (`response.output_text.delta` and the other item events do not).
bool lifecycle_event(std::string_view name) {
    constexpr std::string_view prefix = "response.";
    return name.substr(0, prefix.size()) == prefix &&
           name.find('.', prefix.size()) == std::string_view::npos;
}

/// The events of a stream, with the echo fields restored and the final response stored.
/// Thread safety: none; used on the request's strand only. Lifetime: within the request.
class recording_stream final : public providers::event_stream {
public:
    recording_stream(const stored_responses& owner, stored_turn turn, request_context& ctx,
                     std::unique_ptr<providers::event_stream> inner,
                     const config::model_pricing* pricing)
        : owner_(owner),
          turn_(std::move(turn)),
          ctx_(ctx),
          inner_(std::move(inner)),
          pricing_(pricing) {}

    awaitable<result<std::optional<sse::event>, api_error>> next() override {
        auto ev = co_await inner_->next();
        if (ev && ev->has_value()) {
            on_event(**ev);
        }
        co_return ev;
    }

    bool next_in_hand() const noexcept override { return inner_->next_in_hand(); }

private:
    void on_event(sse::event& e) {
        if (!lifecycle_event(e.event)) {
            return;
        }
        json parsed = json::parse(e.data, nullptr, false);
        if (parsed.is_discarded() || !parsed.is_object()) {
            return;
        }
        auto response = parsed.find("response");
        if (response == parsed.end() || !response->is_object()) {
            return;
        }
        bool changed = rc::restore_echo(*response, turn_.echo);
        const bool final_event =
            e.event == "response.completed" || e.event == "response.incomplete";
        if (final_event && turn_.record && !recorded_) {
            recorded_ = true;
            // Priced here as the relay prices it, so that the stored copy carries the cost.
            if (auto u = response->find("usage"); u != response->end() && u->is_object()) {
                ctx_.usage = read_usage(providers::operation::responses, *u);
                price_usage(ctx_, pricing_);
                if (ctx_.cost_known) {
                    (*u)["cost"] = static_cast<double>(ctx_.cost_microcents) / 1e6;
                    changed = true;
                }
            }
            owner_.record(turn_, ctx_, *response, dump(*response));
        }
        if (changed) {
            e.data = dump(parsed);
        }
    }

    const stored_responses& owner_;
    stored_turn turn_;
    request_context& ctx_;
    std::unique_ptr<providers::event_stream> inner_;
    const config::model_pricing* pricing_;
    bool recorded_ = false;
};

}  // namespace

awaitable<begin_result> stored_responses::begin(request_context& ctx, nlohmann::json& body) const {
    if (db_ == nullptr) {
        co_return begin_result(boost::system::in_place_value, std::nullopt);
    }
    bool store = true;  // OpenAI's default
    if (auto it = body.find("store"); it != body.end() && !it->is_null()) {
        if (!it->is_boolean()) {
            co_return invalid("'store' must be a boolean", "store");
        }
        store = it->get<bool>();
    }
    std::optional<std::string> previous;
    if (auto it = body.find("previous_response_id"); it != body.end() && !it->is_null()) {
        if (!it->is_string()) {
            co_return invalid("'previous_response_id' must be a string", "previous_response_id");
        }
        previous = it->get<std::string>();
    }
    if (!store && !previous) {
        co_return begin_result(boost::system::in_place_value, std::nullopt);
    }
    if (previous) {
        if (!rc::valid_id(*previous)) {
            co_return rc::previous_not_found(*previous);
        }
        auto lookup = [id = *previous, owner = owner_of(ctx)](storage::store& s) {
            return s.get_response(id, owner);
        };
        auto found = co_await db_->run(std::move(lookup));
        if (!found) {
            if (found.error() == errc::not_found) {
                co_return rc::previous_not_found(*previous);
            }
            log()->error("request_id={} looking up previous response {} failed", ctx.request_id,
                         *previous);
            co_return storage_failed("Looking up the previous response failed");
        }
        const json context = json::parse(found->context, nullptr, false);
        const json stored = json::parse(found->response, nullptr, false);
        if (context.is_discarded() || stored.is_discarded() || !stored.is_object()) {
            log()->error("request_id={} stored response {} is not valid JSON", ctx.request_id,
                         *previous);
            co_return storage_failed("The previous response could not be read");
        }
        const json no_output = json::array();
        auto output = stored.find("output");
        const json input = body.contains("input") ? body["input"] : json();
        body["input"] =
            rc::expand_input(context, output != stored.end() ? *output : no_output, input);
        body.erase("previous_response_id");
    }
    // A background response is polled from the upstream, which must keep it: left alone.
    auto background = body.find("background");
    const bool in_background =
        background != body.end() && background->is_boolean() && background->get<bool>();
    stored_turn turn;
    turn.echo.store = store;
    turn.echo.previous_response_id = previous;
    turn.record = store && !in_background;
    if (!in_background) {
        body["store"] = false;
    }
    if (turn.record) {
        turn.context = rc::input_items(body["input"]);
        turn.api_key_id = owner_of(ctx);
    }
    co_return begin_result(boost::system::in_place_value, std::move(turn));
}

std::string stored_responses::finish(const stored_turn& turn, const request_context& ctx,
                                     nlohmann::json& response, std::string raw) const {
    if (rc::restore_echo(response, turn.echo) || raw.empty()) {
        raw = dump(response);
    }
    if (turn.record) {
        record(turn, ctx, response, raw);
    }
    return raw;
}

std::unique_ptr<providers::event_stream> stored_responses::watch(
    stored_turn turn, request_context& ctx, std::unique_ptr<providers::event_stream> events,
    const config::model_pricing* pricing) const {
    return std::make_unique<recording_stream>(*this, std::move(turn), ctx, std::move(events),
                                              pricing);
}

void stored_responses::record(const stored_turn& turn, const request_context& ctx,
                              const nlohmann::json& response, std::string text) const {
    if (db_ == nullptr || !turn.record) {
        return;
    }
    // Failed responses are not kept: there is nothing to continue from.
    const std::string status = string_field(response, "status");
    if (status != "completed" && status != "incomplete") {
        log()->debug("request_id={} response not stored: status '{}'", ctx.request_id, status);
        return;
    }
    storage::stored_response r;
    r.id = string_field(response, "id");
    if (!rc::valid_id(r.id)) {
        log()->warn("request_id={} response not stored: its id is not a valid response id",
                    ctx.request_id);
        return;
    }
    r.api_key_id = turn.api_key_id;
    r.provider = ctx.provider;
    r.model = ctx.provider + "/" + ctx.model;
    r.created_at = unix_now();
    if (auto c = response.find("created_at"); c != response.end() && c->is_number_integer()) {
        r.created_at = c->get<std::int64_t>();
    }
    r.previous_response_id = turn.echo.previous_response_id;
    r.context = dump(turn.context);
    r.response = std::move(text);
    const std::size_t size = r.context.size() + r.response.size();
    if (size > cfg_.server.body_limit_bytes) {
        log()->warn(
            "request_id={} response {} not stored: {} bytes with its context, over "
            "server.body_limit_bytes ({})",
            ctx.request_id, r.id, size, cfg_.server.body_limit_bytes);
        return;
    }
    db_->post([r = std::move(r), request_id = ctx.request_id](storage::store& s) {
        auto put = s.put_response(r);
        if (!put) {
            log()->error("request_id={} storing response {} failed", request_id, r.id);
        } else if (!*put) {
            log()->warn(
                "request_id={} response {} not stored: the id belongs to another key's "
                "response",
                request_id, r.id);
        }
        return put;
    });
}

awaitable<void> stored_responses::handle(request_context& ctx, std::string_view rest) const {
    const auto slash = rest.find('/');
    const std::string_view id = rest.substr(0, slash);
    const std::string_view sub =
        slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    const http::verb method = ctx.req.method();
    if (!sub.empty() && sub != "/input_items") {
        const std::string target(ctx.req.target());
        auto err = api_error::make(errc::not_found, "No route for " +
                                                        std::string(ctx.req.method_string()) + " " +
                                                        target.substr(0, target.find('?')));
        co_await send_error(ctx, err);
        co_return;
    }
    const bool items = !sub.empty();
    const bool allowed = method == http::verb::get || (!items && method == http::verb::delete_);
    if (!allowed) {
        auto err = api_error::make(
            errc::method_not_allowed,
            "Method " + std::string(ctx.req.method_string()) + " is not allowed on this path");
        err.headers.emplace_back("Allow", items ? "GET" : "GET, DELETE");
        co_await send_error(ctx, err);
        co_return;
    }
    if (db_ == nullptr) {
        auto err = api_error::make(errc::not_found,
                                   "Responses are not stored: the gateway has no database "
                                   "configured");
        co_await send_error(ctx, err);
        co_return;
    }
    if (!rc::valid_id(id)) {
        // Never in the database (ids are checked before storing): no query, and not echoed.
        auto err = api_error::make(errc::not_found, "Response not found: the id is not valid.");
        co_await send_error(ctx, err);
        co_return;
    }
    if (method == http::verb::delete_) {
        co_await remove(ctx, id);
    } else {
        co_await get(ctx, id, items);
    }
}

awaitable<void> stored_responses::get(request_context& ctx, std::string_view id, bool items) const {
    rc::page_query page;
    if (items) {
        const std::string_view target = ctx.req.target();
        const auto q = target.find('?');
        auto parsed = rc::parse_page_query(q == std::string_view::npos ? std::string_view()
                                                                       : target.substr(q + 1));
        if (!parsed) {
            co_await send_error(ctx, parsed.error());
            co_return;
        }
        page = std::move(*parsed);
    }
    auto lookup = [id = std::string(id), owner = owner_of(ctx)](storage::store& s) {
        return s.get_response(id, owner);
    };
    auto found = co_await db_->run(std::move(lookup));
    if (!found) {
        if (found.error() == errc::not_found) {
            co_await send_error(ctx, response_not_found(id));
            co_return;
        }
        log()->error("request_id={} reading stored response {} failed", ctx.request_id, id);
        co_await send_error(ctx, storage_failed("Reading the stored response failed"));
        co_return;
    }
    if (!items) {
        ctx.status = 200;
        header_list none;  // a local: no braced initializer inside co_await (GCC 12)
        co_await ctx.sink.send(200, std::move(none), std::move(found->response));
        co_return;
    }
    const json context = json::parse(found->context, nullptr, false);
    const json body =
        rc::input_item_page(context, found->id, page.limit, page.descending, page.after);
    co_await send_json(ctx, body);
}

awaitable<void> stored_responses::remove(request_context& ctx, std::string_view id) const {
    auto erase = [id = std::string(id), owner = owner_of(ctx)](storage::store& s) {
        return s.delete_response(id, owner);
    };
    auto deleted = co_await db_->run(std::move(erase));
    if (!deleted) {
        if (deleted.error() == errc::not_found) {
            co_await send_error(ctx, response_not_found(id));
            co_return;
        }
        log()->error("request_id={} deleting stored response {} failed", ctx.request_id, id);
        co_await send_error(ctx, storage_failed("Deleting the stored response failed"));
        co_return;
    }
    const json body = {{"id", id}, {"object", "response"}, {"deleted", true}};
    co_await send_json(ctx, body);
}

}  // namespace hadrian::api
