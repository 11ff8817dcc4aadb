// The conversation context of stored Responses, as pure functions: what a turn stores, how a
// stored response continues into the next request (`previous_response_id`), and how it is
// shown again (`GET /responses/{id}`, `/input_items`). No I/O; see stored_responses.hpp.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "hadrian/core/asio.hpp"
#include "hadrian/core/error.hpp"

namespace hadrian::api::response_context {

/// Longest id the gateway stores or looks up.
inline constexpr std::size_t max_id_length = 256;

/// Whether `id` can name a stored response: 1..max_id_length characters of
/// `[A-Za-z0-9_.:-]`. Checked before any database call; a response whose own id fails it is
/// not stored.
bool valid_id(std::string_view id) noexcept;

/// A request's `input` as a list of items: an array as it is, a string as one user message
/// (`{"type":"message","role":"user","content":…}`), anything else as an empty list.
nlohmann::json input_items(const nlohmann::json& input);

/// The items of a stored response's `output` that can go back upstream as input, on any
/// provider:
/// - `message` → `{"type":"message","role":"assistant","content":[…]}` with its
///   `output_text` (text, annotations) and `refusal` parts; no id or status (an OpenAI
///   upstream would look an unknown item id up, and requests go upstream with `store: false`);
/// - `function_call` / `custom_tool_call` → the call without id or status (call_id, name,
///   arguments / input), so that the client's `*_output` item finds its call;
/// - `reasoning` → kept (id, summary, encrypted_content) only when it carries
///   `encrypted_content`, the one form a stateless OpenAI request accepts; other providers
///   cannot take reasoning back and the Responses bridge drops it;
/// - everything else (hosted tool calls: web/file search, code interpreter, image generation,
///   MCP, computer use…) is dropped: their ids refer to upstream state; what they produced is
///   in the messages that follow them.
nlohmann::json replay_items(const nlohmann::json& output);

/// The input of a request that continues a stored response: the stored `context`, then
/// `replay_items(output)`, then `input_items(input)`. Non-arrays count as empty lists.
nlohmann::json expand_input(const nlohmann::json& context, const nlohmann::json& output,
                            const nlohmann::json& input);

/// What the client sees in the response object where the gateway changed the upstream
/// request: `store` (requests go upstream with `store: false`) and `previous_response_id`
/// (resolved by the gateway, removed upstream).
struct echo {
    bool store = true;
    std::optional<std::string> previous_response_id;
};

/// Sets `store` and `previous_response_id` of a response object to `e`; true when something
/// changed. Not an object: false, nothing changed.
bool restore_echo(nlohmann::json& response, const echo& e);

/// The `ResponseItemList` of `GET /responses/{id}/input_items`: the stored context items in
/// the shape OpenAI lists them (every item with an `id`: its own, else `<prefix>_<n>` from the
/// response id and its position; string message contents as one `input_text` /
/// `output_text` part). `limit` 1..100, `order` "asc" | "desc", `after` an item id (empty:
/// from the start); an unknown `after` gives an empty page.
nlohmann::json input_item_page(const nlohmann::json& context, std::string_view response_id,
                               std::size_t limit, bool descending, std::string_view after);

/// The query parameters of an input_items request, validated.
struct page_query {
    std::size_t limit = 20;
    bool descending = true;
    std::string after;
};

/// Parses `limit`, `order` and `after` from a query string (without the `?`); other
/// parameters are ignored. Errors: 400 validation_error naming the parameter.
result<page_query, core::api_error> parse_page_query(std::string_view query);

/// The 400 for an unknown previous response, in OpenAI's shape: code
/// `previous_response_not_found`, param `previous_response_id`, message
/// "Previous response with id '…' not found." (plus `detail` when not empty).
core::api_error previous_not_found(std::string_view id, std::string_view detail = {});

}  // namespace hadrian::api::response_context
