// Anthropic Messages streams → OpenAI chat.completion.chunk events: a pure translator (bytes or
// events in, chunk JSON out) and the event_stream that reads an upstream body through it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hadrian/providers/provider.hpp"
#include "hadrian/sse/parser.hpp"
#include "hadrian/upstream/client.hpp"

namespace hadrian::providers {

/// Translates one Anthropic stream, event by event, into chat chunk JSON texts:
/// - message_start → the first chunk (`delta.role = "assistant"`, `content: ""`);
/// - text / thinking deltas → `delta.content` / `delta.reasoning`;
/// - a tool_use block start → `delta.tool_calls[i]` with id, type, name and empty arguments,
///   then each `input_json_delta` as an arguments fragment as it comes (`i` counts tool calls
///   from 0, not content blocks);
/// - message_delta → a chunk with the finish reason; message_stop → the usage-only chunk
///   (`choices: []`), after which the stream is complete;
/// - ping and unknown events are skipped; an `error` event is an error in the gateway's shape
///   (code = Anthropic's error type).
/// Thread safety: none (one per stream).
class anthropic_chunk_translator {
public:
    /// `model`: the model name the chunks carry (as sent upstream).
    explicit anthropic_chunk_translator(std::string model);

    /// One event's `data` (JSON). Appends the chunks it produces to `out`.
    result<void, core::api_error> feed_event(std::string_view data, std::vector<std::string>& out);

    /// Raw SSE bytes, split anywhere. Appends the chunks they complete to `out`.
    result<void, core::api_error> feed_bytes(std::string_view bytes, std::vector<std::string>& out);

    /// At the end of the upstream body: an error unless message_stop was seen.
    result<void, core::api_error> finish() const;

    /// message_stop was seen (later events are ignored).
    bool complete() const noexcept { return complete_; }

private:
    /// A chunk whose delta is built as a document (tool calls: names and arguments as given).
    std::string chunk(nlohmann::json delta, const nlohmann::json& finish_reason);
    /// Every chunk's text up to its `choices` value; made when first needed.
    const std::string& head();
    /// A chunk from its delta and finish reason as JSON texts.
    std::string delta_chunk(std::string_view delta, std::string_view finish_reason);
    /// A chunk whose delta is the one string member `member`, its value `text` as written.
    std::string text_chunk(std::string_view member, std::string_view text);
    void on_block_start(const nlohmann::json& ev, std::vector<std::string>& out);
    void on_block_delta(const nlohmann::json& ev, std::vector<std::string>& out);
    /// The usage-only chunk; the stream is complete.
    void on_message_stop(std::vector<std::string>& out);

    std::string model_;
    std::string id_;
    std::string head_;  // see head()
    std::int64_t created_ = 0;
    nlohmann::json usage_ = nlohmann::json::object();  // Anthropic usage, merged as it comes
    std::map<std::int64_t, int> tool_index_;           // content block index → tool call index
    int tool_calls_ = 0;
    bool started_ = false;  // the role chunk went out
    bool complete_ = false;
    sse::parser parser_;
    std::vector<sse::event> events_;
};

/// Reads an upstream Anthropic SSE body and yields chat chunks (`data` only). The end of the
/// body before message_stop, a transport failure or an in-band error is an error, so a
/// truncated stream never looks complete.
class anthropic_event_stream final : public event_stream {
public:
    anthropic_event_stream(std::unique_ptr<upstream::response> res, std::string model);

    awaitable<result<std::optional<sse::event>, core::api_error>> next() override;
    bool next_in_hand() const noexcept override;

private:
    std::unique_ptr<upstream::response> res_;
    anthropic_chunk_translator translator_;
    std::vector<std::string> pending_;
    std::size_t next_pending_ = 0;
    std::optional<core::api_error> error_;  // reported after the pending chunks
    bool failed_ = false;
};

}  // namespace hadrian::providers
