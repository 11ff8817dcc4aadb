/// The Responses API for providers that only speak Chat Completions (after their own
/// translation): a Responses request becomes a chat request, and the chat answer — a body or a
/// stream of `chat.completion.chunk`s — becomes a `response` object or the typed Responses
/// event sequence. Pure translation, no I/O; shared by every translated provider.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "hadrian/core/asio.hpp"
#include "hadrian/core/error.hpp"
#include "hadrian/providers/provider.hpp"

namespace hadrian::providers {

/// OpenAI `CreateResponse` → `CreateChatCompletionRequest`. A `previous_response_id` is an error
/// (see unresolved_previous_response). `instructions` become a leading
/// system message; input items become messages (consecutive `function_call` items merge into
/// one assistant message with `tool_calls`, `function_call_output` becomes a `tool` message,
/// `reasoning` items are dropped); function tools, `tool_choice`, `max_output_tokens`,
/// `reasoning.effort` and `text.format` are mapped; a streaming request asks for usage.
/// Errors: 400 `validation_error` (param `input`, `tools`, `tool_choice`, `text`) for what
/// chat cannot express (built-in tools, unknown items); 501 `not_supported` for file inputs.
result<nlohmann::json, core::api_error> responses_to_chat_request(
    const nlohmann::json& responses_body);

/// A `chat.completion` body → a `response` object (status `completed`, or `incomplete` for
/// finish reasons `length` and `content_filter`), echoing the request's settings as OpenAI
/// does. Output: a `reasoning` item when the message carries `reasoning`, a `message` item
/// with the text, then one `function_call` item per tool call.
nlohmann::json chat_to_response(const nlohmann::json& chat_completion,
                                const nlohmann::json& responses_request);

/// Wraps a chat chunk stream (events whose `data` is a `chat.completion.chunk`, ending with a
/// usage-only chunk) into the typed Responses event stream: response.created,
/// response.in_progress, the item events as deltas arrive, then response.completed (or
/// response.incomplete) with usage once the chat stream ends cleanly. An error of the chat
/// stream is returned unchanged (the gateway reports it in-band).
/// Thread safety: none; used from the request's strand only.
std::unique_ptr<event_stream> chat_stream_to_responses(std::unique_ptr<event_stream> chat_stream,
                                                       nlohmann::json responses_request);

/// Building blocks shared by the body and stream translations.
namespace responses_detail {

/// Chat `usage` → Responses `usage` (null when `chat_usage` is not an object).
nlohmann::json map_usage(const nlohmann::json& chat_usage);

/// `incomplete_details.reason` for a chat finish reason, or nullopt when the response is
/// complete.
std::optional<std::string> incomplete_reason(std::string_view finish_reason);

/// A `response` object without output or usage (status `in_progress`) echoing the request's
/// settings: instructions, tools, tool_choice, temperature, top_p, parallel_tool_calls,
/// max_output_tokens, metadata, reasoning, text, truncation, user, previous_response_id.
nlohmann::json response_envelope(const std::string& id, std::int64_t created_at,
                                 const std::string& model, const nlohmann::json& request);

/// Marks an envelope finished: status, completed_at / incomplete_details, output and usage.
void finish_envelope(nlohmann::json& response, const std::optional<std::string>& incomplete,
                     nlohmann::json output, nlohmann::json usage);

/// Id of an output item: `<prefix>_<base>_<output_index>`.
std::string item_id(std::string_view prefix, std::string_view base, std::size_t output_index);

/// A random id base (hex) for answers that carry no id of their own.
std::string random_id_base();

/// A request that still carries `previous_response_id` reached a provider that cannot look it
/// up (the gateway resolves it itself when it has a database): 400
/// `previous_response_not_found` on `previous_response_id`, as OpenAI answers an unknown id.
/// nullopt when the field is absent or null.
std::optional<core::api_error> unresolved_previous_response(const nlohmann::json& request);

}  // namespace responses_detail

}  // namespace hadrian::providers
