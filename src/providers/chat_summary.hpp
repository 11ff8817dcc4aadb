// What the gateway reads of an OpenAI chat completion it passes through as text.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace hadrian::providers {

/// The chat completion `text` summed up for the gateway, which reads only the token counts of
/// its usage (api::read_usage) and its first choice's finish reason: `{"usage": {...},
/// "choices": [{"finish_reason": ...}]}` with the members present in `text`. Only those values
/// are parsed; the rest is scanned, not built. nullopt when `text` is not a JSON object or a
/// value read is not valid JSON.
std::optional<nlohmann::json> chat_summary(std::string_view text);

}  // namespace hadrian::providers
