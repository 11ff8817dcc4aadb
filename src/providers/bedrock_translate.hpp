/// Pure translation between OpenAI Chat Completions and AWS Bedrock's Converse /
/// ConverseStream API: the request out, the answer, stream events and errors in. No I/O;
/// every free function is safe to call from any thread.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "aws_eventstream.hpp"
#include "hadrian/core/asio.hpp"
#include "hadrian/core/error.hpp"
#include "hadrian/core/header_fields.hpp"

namespace hadrian::providers::converse {

/// Thinking budgets (tokens) for `reasoning_effort` minimal-or-low / medium / high on
/// Anthropic models.
inline constexpr std::int64_t budget_low = 1024;
inline constexpr std::int64_t budget_medium = 4096;
inline constexpr std::int64_t budget_high = 16384;

/// A Chat Completions body → a Converse body for `model` (the Bedrock model id, which also
/// picks the reasoning dialect).
/// - system and developer messages become `system` text blocks; tool messages become user
///   `toolResult` blocks; assistant `tool_calls` become `toolUse` blocks (arguments must be a
///   JSON object); consecutive same-role messages merge; empty text is left out (Bedrock
///   rejects blank text blocks);
/// - images must be `data:image/{png,jpeg,gif,webp};base64,…` URLs (Bedrock takes bytes
///   only): a remote URL, another format or another part type is a 400 validation_error
///   naming the part;
/// - `max_completion_tokens` / `max_tokens`, `temperature`, `top_p`, `stop` →
///   `inferenceConfig`; function tools and `tool_choice` → `toolConfig` (`none` keeps the
///   tools only when the conversation already uses them, without a choice, since Converse
///   has no "none"; otherwise it leaves them out);
/// - `reasoning_effort` (best effort, by model family): Anthropic models get
///   `additionalModelRequestFields.thinking` with a budget (maxTokens raised above it,
///   temperature and topP left out as Anthropic requires); Amazon Nova models get
///   `additionalModelRequestFields.reasoningConfig` with `maxReasoningEffort`; other models
///   ignore it. `top_k` goes to `additionalModelRequestFields.top_k` for Anthropic models.
/// - fields Converse has no equivalent for (penalties, logprobs, seed, response_format…) are
///   left out; `n` > 1 is a 400 validation_error.
result<nlohmann::json, core::api_error> to_request(const nlohmann::json& chat,
                                                   std::string_view model);

/// The model as one percent-encoded path segment: only RFC 3986 unreserved characters stay
/// (`us.amazon.nova-lite-v1:0` → `us.amazon.nova-lite-v1%3A0`), so a model string can never
/// change the upstream path or query.
std::string model_segment(std::string_view model);

/// Bedrock `stopReason` → OpenAI `finish_reason`; `had_tool_calls` turns a plain stop into
/// `tool_calls`. Unknown reasons: "stop".
std::string finish_reason(std::string_view stop_reason, bool had_tool_calls);

/// Bedrock `usage` → OpenAI chat usage: prompt_tokens counts cache reads and writes besides
/// `inputTokens`, `prompt_tokens_details.cached_tokens` the reads (and `cache_write_tokens`
/// the writes, when any).
nlohmann::json usage(const nlohmann::json& bedrock_usage);

/// A Converse answer → a `chat.completion` with the given id, model and creation time.
nlohmann::json to_chat_completion(const nlohmann::json& response, const std::string& id,
                                  const std::string& model, std::int64_t created);

/// A Bedrock HTTP error (`{"message": …}` with an `x-amzn-errortype` header such as
/// `ValidationException:http://…`) → the gateway's error: the status is kept, `code` is the
/// error type before ':', the message is kept. Other bodies fall back to from_http_error.
/// A `Retry-After` header is carried over.
core::api_error to_api_error(int status, std::string_view body, const core::header_fields& headers);

/// An in-band stream exception (`:message-type` exception, e.g. `throttlingException`) →
/// the gateway's error, with the status Bedrock uses for that exception as an HTTP error.
core::api_error stream_exception(std::string_view exception_type, std::string_view payload);

/// ConverseStream events → `chat.completion.chunk`s. Emits a role chunk at messageStart,
/// tool call id/name at contentBlockStart, text / reasoning / argument deltas as they
/// arrive, the finish chunk at messageStop and a usage-only chunk (`choices: []`) at
/// metadata. Thread safety: none (one per stream).
class stream_translator {
public:
    stream_translator(std::string id, std::string model, std::int64_t created);

    /// Translate one decoded event-stream message, appending the chunks to send. An
    /// exception or error message, or an event whose payload is not JSON, is an error.
    result<void, core::api_error> on_message(const aws_eventstream::message& m,
                                             std::vector<nlohmann::json>& chunks);

    /// messageStop was seen: the answer is complete.
    bool complete() const noexcept { return stopped_; }

private:
    nlohmann::json chunk(nlohmann::json delta, nlohmann::json finish_reason) const;
    void ensure_role(std::vector<nlohmann::json>& chunks);
    std::size_t tool_index(std::int64_t block, bool* fresh);

    std::string id_;
    std::string model_;
    std::int64_t created_;
    std::map<std::int64_t, std::size_t> tools_;  // contentBlockIndex → tool call index
    bool role_sent_ = false;
    bool stopped_ = false;
};

}  // namespace hadrian::providers::converse
