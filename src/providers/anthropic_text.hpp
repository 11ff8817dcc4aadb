// Anthropic Messages bodies written as text from scans, for the common shapes: a chat request
// as a Messages request, a non-streaming answer as a chat completion. No document is built on
// either side; anthropic_translate.hpp holds the full translation, which these agree with and
// which takes the shapes they leave.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hadrian/providers/provider.hpp"

namespace hadrian::providers {

/// The Messages request anthropic_request(chat, model, default_max_tokens) gives, with
/// `stream` set as the call asks, as JSON text, for the chat request `chat` (JSON text the
/// gateway validated; its `model` is not read). Strings and values are copied as written.
/// nullopt for requests left to the full translation: `tools`, `reasoning_effort`, `n`,
/// content parts (images, cache control), tool calls and tool messages, anything it would
/// refuse.
std::optional<std::string> anthropic_request_text(std::string_view chat, std::string_view model,
                                                  std::uint32_t default_max_tokens, bool stream);

/// A content_block_delta event that carries text (a text_delta) or thinking (a
/// thinking_delta), as read from its JSON text.
struct anthropic_text_delta {
    bool thinking = false;
    std::string_view text;  // between its quotes, escapes as written; "" when not a string
};

/// The text of the stream event `data` when it is such a delta; nullopt for every other
/// event, and for data that is not surely valid JSON (the stream translator parses those).
std::optional<anthropic_text_delta> read_text_delta(std::string_view data);

struct chat_text {
    std::string text;      // the chat completion
    chat_figures figures;  // what the gateway reads of it (usage, finish reason)
};

/// The chat completion anthropic_to_chat(message, model) gives, as JSON text with `created`
/// set, for the answer `message` (JSON text). Strings are copied as written, so the text may
/// differ from a dump in escapes, not in meaning. nullopt for answers this writer leaves to the
/// parsed path: text that is not surely valid JSON, `tool_use` blocks (their arguments are
/// the input re-serialized), numbers other than plain integers in `usage`, and the like.
std::optional<chat_text> anthropic_chat_text(std::string_view message, std::string_view model,
                                             std::int64_t created);

}  // namespace hadrian::providers
