/// Pure translation between OpenAI Chat Completions and Google Gemini `generateContent`
/// (Gemini API and Vertex AI speak the same JSON): request out, response and errors in.
/// No I/O; every function is safe to call from any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "hadrian/core/asio.hpp"
#include "hadrian/core/error.hpp"
#include "hadrian/core/header_fields.hpp"

namespace hadrian::providers::gemini {

/// The `generateContent` body for a Chat Completions request body. A request Gemini cannot
/// express (an unknown content part, a tool result whose call is unknown, malformed tool call
/// arguments) is a 400 validation_error naming the field.
result<nlohmann::json, core::api_error> to_request(const nlohmann::json& chat);

/// A JSON schema with the keywords Gemini rejects removed (`$schema`, `additionalProperties`,
/// `strict`, …), recursing through sub-schemas only, so a property that happens to be named
/// like a keyword is kept.
nlohmann::json sanitize_schema(const nlohmann::json& schema);

/// The model as one percent-encoded path segment: only RFC 3986 unreserved characters stay,
/// so a model string can never change the upstream path or query.
std::string model_segment(std::string_view model);

/// OpenAI finish reason for a Gemini `finishReason`; `had_tool_calls` turns STOP into
/// `tool_calls`.
std::string finish_reason(std::string_view gemini_reason, bool had_tool_calls);

/// OpenAI `usage` from a Gemini `usageMetadata` (a missing or empty one gives zeros).
nlohmann::json usage(const nlohmann::json& usage_metadata);

/// The chat completion for a `generateContent` response body. `id` and `created` are the
/// completion's id and creation time; tool call ids are derived from `id`.
nlohmann::json to_chat_completion(const nlohmann::json& response, const std::string& id,
                                  const std::string& model, std::int64_t created);

/// Tool call id for the `n`-th call of a response (`call_<response-derived>_<n>`).
std::string tool_call_id(std::string_view completion_id, std::size_t n);

/// A Google error body (`{"error":{"code","message","status"}}`, also inside a one-element
/// array) in the gateway's shape: the HTTP status is kept, `code` is the Google status string
/// (`INVALID_ARGUMENT`, `NOT_FOUND`, …), the message is kept. Other bodies fall back to
/// from_http_error. A `Retry-After` header is carried over.
core::api_error to_api_error(int status, std::string_view body, const core::header_fields& headers);

}  // namespace hadrian::providers::gemini
