// Stored Responses (API.md §1): with a database, the gateway keeps the answers of `store`
// requests, continues a conversation from `previous_response_id` on any provider, and serves
// `GET`/`DELETE /responses/{id}` and `GET /responses/{id}/input_items`.
//
// The proxy calls it at three points: begin() before routing, then finish() for a body or
// watch() for a stream. Writes go to the database thread without waiting (db_executor::post),
// queued before the answer reaches the client, so a client that asks for its response after
// the answer finds it.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "hadrian/api/context.hpp"
#include "hadrian/config/config.hpp"
#include "hadrian/providers/provider.hpp"
#include "hadrian/storage/db_executor.hpp"
#include "response_context.hpp"

namespace hadrian::api {

/// One Responses request on its way: what the client must see echoed, and what to store.
struct stored_turn {
    response_context::echo echo;
    bool record = false;     // store the answer once it completed
    nlohmann::json context;  // the turn's input items, history included (when record)
    std::optional<std::string> api_key_id;
};

/// Thread safety: immutable; every method runs concurrently on many strands.
/// Lifetime: the config and the db_executor outlive it.
class stored_responses {
public:
    /// `db` null (no database): nothing is stored, begin() changes nothing, so `store` and
    /// `previous_response_id` reach the provider as sent (an OpenAI upstream keeps responses
    /// itself; the Responses bridge refuses `previous_response_id`), and handle() answers 404.
    stored_responses(const config::config& cfg, storage::db_executor* db) : cfg_(cfg), db_(db) {}

    /// Before routing, on the validated body of a Responses request: resolves
    /// `previous_response_id` (the caller's key's responses only; any with auth off) into
    /// `input` — stored context, then the stored output as input items, then this request's
    /// input — and removes it; sets `store: false` (the gateway keeps the answer; the upstream
    /// need not), except for `background` requests. nullopt when the answer needs nothing
    /// from this class (no database, or `store: false` without a previous response).
    /// Errors: 400 `previous_response_not_found`, 400 validation_error for a `store` or
    /// `previous_response_id` of the wrong type, 500 when the database fails.
    awaitable<result<std::optional<stored_turn>, core::api_error>> begin(
        request_context& ctx, nlohmann::json& body) const;

    /// A non-streaming answer (`response` parsed, `raw` its text or empty): restores the echo
    /// fields, stores it when it completed (or is incomplete) and returns the text to send.
    std::string finish(const stored_turn& turn, const request_context& ctx,
                       nlohmann::json& response, std::string raw) const;

    /// A streaming answer: the events with the echo fields restored in every `response.*`
    /// lifecycle event; the `response` of `response.completed` / `response.incomplete`
    /// (priced with `pricing`, may be null) is stored as the event passes.
    std::unique_ptr<providers::event_stream> watch(stored_turn turn, request_context& ctx,
                                                   std::unique_ptr<providers::event_stream> events,
                                                   const config::model_pricing* pricing) const;

    /// `GET`/`DELETE /responses/{id}` and `GET /responses/{id}/input_items`; `rest` is the
    /// API path after "/responses/".
    awaitable<void> handle(request_context& ctx, std::string_view rest) const;

    /// Queue `response` (the object, and `text`, its JSON as sent) for storage: skipped with a
    /// log line when it did not complete, its id is not valid, or the record would be larger
    /// than `server.body_limit_bytes` (a conversation the client could not have sent).
    void record(const stored_turn& turn, const request_context& ctx, const nlohmann::json& response,
                std::string text) const;

private:
    awaitable<void> get(request_context& ctx, std::string_view id, bool items) const;
    awaitable<void> remove(request_context& ctx, std::string_view id) const;

    const config::config& cfg_;
    storage::db_executor* db_;
};

}  // namespace hadrian::api
