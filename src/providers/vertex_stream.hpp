/// Gemini `streamGenerateContent?alt=sse` as a Chat Completions chunk stream: a pure decoder
/// (bytes in, OpenAI chunk events out) and the event_stream that feeds it from the upstream.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hadrian/providers/provider.hpp"
#include "hadrian/sse/parser.hpp"
#include "hadrian/upstream/client.hpp"

namespace hadrian::providers::gemini {

/// Turns the raw SSE bytes of a Gemini stream (`data: {GenerateContentResponse}` events) into
/// `chat.completion.chunk` events: text → `delta.content`, thought text → `delta.reasoning`,
/// each function call → one `delta.tool_calls` entry with its whole arguments, a
/// `finishReason` → a finish chunk; at the end one usage-only chunk (`choices: []`) from the
/// last `usageMetadata`. The body may be split anywhere.
/// Thread safety: none (one decoder per stream).
class stream_decoder {
public:
    /// `fallback_id` names the completion when the upstream sends no `responseId`.
    stream_decoder(std::string fallback_id, std::string model, std::int64_t created);

    /// Decode more body bytes; complete chunks are appended to `out`. An in-band upstream
    /// error or a malformed event is an error (and the stream is over).
    result<void, core::api_error> feed(std::string_view bytes, std::vector<sse::event>& out);

    /// The body ended: appends the usage chunk. Ending before any `finishReason` is an error,
    /// so a truncated stream never looks complete.
    result<void, core::api_error> finish(std::vector<sse::event>& out);

private:
    struct choice_state {
        bool role_sent = false;
        std::size_t tool_calls = 0;
    };

    result<void, core::api_error> on_event(const sse::event& ev, std::vector<sse::event>& out);
    void on_candidate(const nlohmann::json& cand, std::size_t position,
                      std::vector<sse::event>& out);
    void emit(std::int64_t index, nlohmann::json delta, const nlohmann::json& finish_reason,
              std::vector<sse::event>& out);

    sse::parser parser_;
    std::vector<sse::event> events_;
    std::string id_;
    std::string model_;
    std::int64_t created_;
    bool id_fixed_ = false;  // the id may change only before the first chunk went out
    bool finished_ = false;  // a finishReason (or a blocked prompt) was seen
    std::size_t calls_so_far_ = 0;
    std::map<std::int64_t, choice_state> choices_;
    nlohmann::json usage_metadata_ = nlohmann::json::object();
};

}  // namespace hadrian::providers::gemini

namespace hadrian::providers {

/// Reads the upstream body incrementally through a gemini::stream_decoder. A reset, an idle
/// timeout or EOF before a finish reason is an error event for the gateway to report.
/// Thread safety: none; used from the request's strand only.
class vertex_stream final : public event_stream {
public:
    vertex_stream(std::unique_ptr<upstream::response> res, gemini::stream_decoder decoder);

    awaitable<result<std::optional<sse::event>, core::api_error>> next() override;
    bool next_in_hand() const noexcept override;

private:
    std::unique_ptr<upstream::response> res_;
    gemini::stream_decoder decoder_;
    std::vector<sse::event> pending_;
    std::size_t next_pending_ = 0;
    bool ended_ = false;
    std::optional<core::api_error> failed_;  // reported once the events before it went out
};

}  // namespace hadrian::providers
