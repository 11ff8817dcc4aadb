/// Finding members in JSON text without building a document: values are skipped, not
/// parsed (strings with memchr), so a 1 MiB image inside a request costs a scan, not a
/// parse. Used on the request path to read a few fields of bodies the gateway passes through.
///
/// The scanner checks structure (brackets, strings, separators) but not the grammar of
/// numbers and literals; callers that need a value parse that value's text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hadrian/core/function_ref.hpp"

namespace hadrian::core {

/// One member of an object: its unescaped key and the exact text of its value (both valid
/// during the visit only).
struct json_member {
    std::string_view key;
    std::string_view value;
};

/// Calls `visit` for each member of the object `text` (surrounding whitespace allowed) until
/// it returns false. Returns false when `text` is not a well-formed object.
bool json_members(std::string_view text, function_ref<bool(const json_member&)> visit);

/// The value text of the member `key` of the object `text` (the first one when repeated).
std::optional<std::string_view> json_member_value(std::string_view text, std::string_view key);

/// Calls `visit` with the text of each element of the array `text` until it returns false.
/// Returns false when `text` is not a well-formed array.
bool json_elements(std::string_view text, function_ref<bool(std::string_view)> visit);

/// Walking a document once, descending into the values that matter instead of skipping them
/// and scanning them again. `rest` is the text from a value's first byte to the end of the
/// document; each function returns the size of the value it walked, or json_npos when it is
/// malformed.
inline constexpr std::size_t json_npos = std::string_view::npos;

/// Walks the object at the start of `rest`: `visit(key, value_rest)` returns the size of the
/// member's value (json_value_size to skip it, or the size from walking it), or json_npos to
/// give up.
std::size_t json_object_at(std::string_view rest,
                           function_ref<std::size_t(std::string_view, std::string_view)> visit);

/// Walks the array at the start of `rest`: `visit(element_rest)` as for json_object_at.
std::size_t json_array_at(std::string_view rest, function_ref<std::size_t(std::string_view)> visit);

/// The size of the value at the start of `rest`, skipped, or json_npos.
std::size_t json_value_size(std::string_view rest);

/// The text of the first element of the array `text`; nullopt when empty or not an array.
std::optional<std::string_view> json_first_element(std::string_view text);

/// The string `text` (a JSON string literal) unescaped; nullopt when it is not a string.
std::optional<std::string> json_string_value(std::string_view text);

/// Where a piece of a JSON text lies in it, in bytes: e.g. a member's value, kept to be
/// replaced later.
struct json_span {
    std::size_t offset = 0;
    std::size_t size = 0;
};

/// The span of `part`, a view into `text` (as json_members gives values).
json_span json_span_of(std::string_view text, std::string_view part);

/// `s` as a JSON string literal, written as nlohmann's dump() writes it: `"` and `\` and
/// control characters escaped, other characters as they are, invalid UTF-8 as U+FFFD.
std::string json_quote(std::string_view s);

/// json_quote(s) appended to `out`, without a string of its own.
void json_append_quoted(std::string& out, std::string_view s);

}  // namespace hadrian::core
