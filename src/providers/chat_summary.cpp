#include "hadrian/providers/chat_summary.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "hadrian/core/json_scan.hpp"

namespace hadrian::providers {

namespace {

/// Whether `text` is a JSON string of printable ASCII without escapes (finish reasons).
bool plain_string(std::string_view text) {
    if (text.size() < 2 || text.front() != '"' || text.back() != '"') {
        return false;
    }
    return std::all_of(text.begin() + 1, text.end() - 1,
                       [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
}

/// A plain non-negative integer that fits (token counts, nearly always), read without the
/// parser.
std::optional<std::int64_t> plain_count(std::string_view text) {
    if (text.empty() || text.size() > 18 || (text.size() > 1 && text[0] == '0')) {
        return std::nullopt;
    }
    std::int64_t n = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        n = n * 10 + (c - '0');
    }
    return n;
}

/// A token count as the parser reads it: a number as an integer, anything else 0. nullopt
/// when `text` is not valid JSON.
std::optional<std::int64_t> count_of(std::string_view text) {
    if (auto n = plain_count(text)) {
        return n;
    }
    const auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_discarded()) {
        return std::nullopt;
    }
    return parsed.is_number() ? parsed.get<std::int64_t>() : 0;
}

constexpr std::size_t npos = core::json_npos;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// The size of the value at the start of `rest` when it is valid JSON, else npos: for values
/// that are checked but not read.
std::size_t checked_size(std::string_view rest) {
    const std::size_t n = core::json_value_size(rest);
    return n != npos && !nlohmann::json::parse(rest.substr(0, n), nullptr, false).is_discarded()
               ? n
               : npos;
}

/// The count at the start of `rest` into `out`. Returns the value's size, npos when invalid.
std::size_t read_count(std::string_view rest, std::int64_t& out) {
    const std::size_t n = core::json_value_size(rest);
    if (n == npos) {
        return npos;
    }
    const auto count = count_of(rest.substr(0, n));
    if (!count) {
        return npos;
    }
    out = *count;
    return n;
}

/// The member `key` of the details value at the start of `rest` (the last when repeated) as a
/// count into `out`; 0 when the value is not an object or has no such member. Returns the
/// value's size, npos when a value read is invalid.
std::size_t read_detail(std::string_view rest, std::string_view key, std::int64_t& out) {
    out = 0;
    if (rest.front() != '{') {
        return checked_size(rest);
    }
    return core::json_object_at(rest, [&](std::string_view k, std::string_view value) {
        return k == key ? read_count(value, out) : core::json_value_size(value);
    });
}

/// The token counts of the usage value at the start of `rest` into `f`. Returns the value's
/// size, npos when a value read is invalid.
std::size_t read_usage(std::string_view rest, chat_figures& f) {
    if (rest.front() != '{') {
        return checked_size(rest);
    }
    f.usage = true;
    return core::json_object_at(rest, [&](std::string_view key, std::string_view value) {
        if (key == "prompt_tokens") {
            return read_count(value, f.prompt_tokens);
        }
        if (key == "completion_tokens") {
            return read_count(value, f.completion_tokens);
        }
        if (key == "prompt_tokens_details") {
            return read_detail(value, "cached_tokens", f.cached_tokens);
        }
        if (key == "completion_tokens_details") {
            return read_detail(value, "reasoning_tokens", f.reasoning_tokens);
        }
        return core::json_value_size(value);
    });
}

/// The finish reason `text` (a value's whole text) into `out` when a string. False when it
/// is not valid JSON.
bool read_reason(std::string_view text, std::string& out) {
    if (plain_string(text)) {
        out.assign(text.substr(1, text.size() - 2));
        return true;
    }
    const auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_discarded()) {
        return false;
    }
    if (parsed.is_string()) {
        out = parsed.get<std::string>();
    }
    return true;
}

/// The first `finish_reason` of the first element of the choices value at the start of
/// `rest` into `out`, when a string. Returns the value's size, npos when the reason is not
/// valid JSON.
std::size_t read_choices(std::string_view rest, std::string& out) {
    if (rest.front() != '[') {
        return core::json_value_size(rest);
    }
    bool first = true;
    return core::json_array_at(rest, [&](std::string_view element) {
        const bool read = first && element.front() == '{';
        first = false;
        if (!read) {
            return core::json_value_size(element);
        }
        bool seen = false;
        return core::json_object_at(element, [&](std::string_view key, std::string_view value) {
            if (seen || key != "finish_reason") {
                return core::json_value_size(value);
            }
            seen = true;
            const std::size_t n = core::json_value_size(value);
            return n != npos && read_reason(value.substr(0, n), out) ? n : npos;
        });
    });
}

}  // namespace

std::optional<chat_figures> chat_summary(std::string_view text) {
    // One walk: the usage and the first choice are read where they lie, the rest skipped.
    std::size_t start = 0;
    while (start < text.size() && is_space(text[start])) {
        ++start;
    }
    const std::string_view rest = text.substr(start);
    chat_figures f;
    bool usage_seen = false;
    bool choices_seen = false;
    std::size_t end = core::json_object_at(rest, [&](std::string_view key, std::string_view value) {
        if (key == "usage" && !usage_seen) {
            usage_seen = true;
            const std::size_t n = read_usage(value, f);
            f.usage_span = core::json_span_of(text, value.substr(0, n == npos ? 0 : n));
            return n;
        }
        if (key == "choices" && !choices_seen) {
            choices_seen = true;
            return read_choices(value, f.finish_reason);
        }
        return core::json_value_size(value);
    });
    if (end == npos) {
        return std::nullopt;
    }
    while (end < rest.size() && is_space(rest[end])) {
        ++end;
    }
    if (end != rest.size()) {
        return std::nullopt;
    }
    return f;
}

}  // namespace hadrian::providers
