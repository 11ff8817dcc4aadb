/// Checking that a text is valid JSON in one pass, building nothing: the gateway's fast path
/// for request bodies it passes through as written (a 1 MiB image costs a scan of 16 bytes at
/// a time, not a parse).
#pragma once

#include <string_view>

namespace hadrian::core {

/// True when `text` is one JSON value (RFC 8259; whitespace around it allowed) that
/// nlohmann::json::parse accepts: the grammar of every value, escapes and surrogate pairs,
/// UTF-8, no control characters in strings, no number a double cannot hold.
///
/// Never true for text the parser rejects. False as well for some text the parser accepts
/// (a leading byte-order mark, nesting deeper than max_json_check_depth, a number read as
/// subnormal): callers parse those and take the parser's answer.
bool json_surely_valid(std::string_view text) noexcept;

inline constexpr std::size_t max_json_check_depth = 256;

}  // namespace hadrian::core
