// Pure translation between OpenAI Chat Completions and Anthropic's Messages API: the request
// out, the non-streaming answer and error bodies in. No I/O.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "hadrian/core/asio.hpp"
#include "hadrian/core/error.hpp"
#include "hadrian/core/header_fields.hpp"

namespace hadrian::providers {

/// Thinking budgets (tokens) for `reasoning_effort` low / medium / high.
inline constexpr std::int64_t anthropic_budget_low = 1024;
inline constexpr std::int64_t anthropic_budget_medium = 4096;
inline constexpr std::int64_t anthropic_budget_high = 16384;

/// A Chat Completions body → a Messages API body for `model`.
/// - system and developer messages become the top-level `system` (joined with blank lines);
///   tool messages become user `tool_result` blocks; consecutive same-role messages merge;
/// - assistant `tool_calls` become `tool_use` blocks (arguments must be a JSON object);
/// - `max_completion_tokens` / `max_tokens`, else `default_max_tokens`;
/// - `reasoning_effort` enables thinking with a budget; `max_tokens` is raised above the
///   budget when needed, and temperature / top_p / top_k are left out (Anthropic rejects
///   them with thinking);
/// - fields Anthropic has no equivalent for (penalties, logprobs, seed, response_format…) are
///   left out. Errors: 400 validation_error naming the offending field (`n` > 1, an
///   unparsable tool-call argument string, an unsupported content part).
result<nlohmann::json, core::api_error> anthropic_request(const nlohmann::json& chat,
                                                          const std::string& model,
                                                          std::uint32_t default_max_tokens);

/// Anthropic `stop_reason` → OpenAI `finish_reason` (unknown reasons: "stop").
std::string anthropic_finish_reason(std::string_view stop_reason);

/// Anthropic `usage` → OpenAI chat usage: prompt_tokens counts cache reads and writes,
/// `prompt_tokens_details.cached_tokens` the reads, `cache_write_tokens` the writes.
nlohmann::json anthropic_usage(const nlohmann::json& usage);

/// A Messages API answer → a `chat.completion` (id `chatcmpl-<msg id>`, `model` as sent).
nlohmann::json anthropic_to_chat(const nlohmann::json& message, const std::string& model);

/// An Anthropic error type ("overloaded_error") → the OpenAI error `type` it corresponds to.
std::string anthropic_openai_error_type(std::string_view anthropic_type);

/// An Anthropic error type → the HTTP status Anthropic uses for it (in-band stream errors
/// carry no status); 502 for unknown types.
int anthropic_error_status(std::string_view anthropic_type);

/// An Anthropic error body `{"type":"error","error":{"type","message"}}` with its HTTP
/// status → the gateway's error: the status is kept (529 too), `code` is the Anthropic error
/// type, the message is kept. Other bodies fall back to the generic upstream error.
/// A `Retry-After` header is carried over.
core::api_error anthropic_error(int status, std::string_view body,
                                const core::header_fields& headers);

}  // namespace hadrian::providers
