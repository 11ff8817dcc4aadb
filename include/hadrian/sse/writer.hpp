/// SSE output framing.
#pragma once

#include <string>
#include <string_view>

namespace hadrian::sse {

/// Append one event: optional `event: <type>` line, the data (split into one `data:` line per
/// line of `data`), and the blank line.
void append_event(std::string& out, std::string_view data, std::string_view event_type = {});

/// One event as a new string.
std::string format_event(std::string_view data, std::string_view event_type = {});

/// `data: [DONE]\n\n`
inline constexpr std::string_view done_event = "data: [DONE]\n\n";

}  // namespace hadrian::sse
