// A non-streaming Anthropic Messages answer written as an OpenAI chat completion directly as
// text: the answer is scanned, not parsed, and no document is built on either side.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hadrian/providers/provider.hpp"

namespace hadrian::providers {

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
