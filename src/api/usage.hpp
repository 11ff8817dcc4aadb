// Reading token usage and finish reasons out of OpenAI-shaped bodies.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "hadrian/api/context.hpp"
#include "hadrian/providers/provider.hpp"

namespace hadrian::api {

/// Usage of a chat completion / chunk, a Responses object, or an embeddings answer.
/// `known` stays false when the body has no usage object.
token_usage read_usage(providers::operation op, const nlohmann::json& usage);

/// The token counts of a chat completion passed through as text.
token_usage read_usage(const providers::chat_figures& figures);

/// finish_reason of the first choice (chat) or derived from a response's status and output.
std::string read_finish_reason(providers::operation op, const nlohmann::json& body);

/// The X-Input-Tokens … headers of a non-streaming answer.
void add_usage_headers(number_fields& fields, const token_usage& u);

/// Adds `"cost": <dollars>` (`cost_microcents` / 10^6, the value a document gets) to the
/// top-level `usage` object of the JSON text `body`, in place, without re-serializing the
/// rest. False (and `body` untouched) when there is no such object. `usage`: where its value
/// lies, when known already (no scan then).
bool splice_usage_cost(std::string& body, std::int64_t cost_microcents,
                       std::optional<core::json_span> usage = std::nullopt);

}  // namespace hadrian::api
