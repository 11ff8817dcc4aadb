// What the gateway reads of an OpenAI chat completion it passes through as text.
#pragma once

#include <optional>
#include <string_view>

#include "hadrian/providers/provider.hpp"

namespace hadrian::providers {

/// The figures of the chat completion `text`: the token counts of its usage and its first
/// choice's finish reason, read as a parse of the whole text would read them (a count that is
/// not a number is 0; of repeated members inside `usage`, the last). Only those values are
/// parsed; the rest is scanned. nullopt when `text` is not a JSON object or a value read is not
/// valid JSON.
std::optional<chat_figures> chat_summary(std::string_view text);

}  // namespace hadrian::providers
