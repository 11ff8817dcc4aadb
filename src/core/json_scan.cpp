#include "hadrian/core/json_scan.hpp"

#include <array>
#include <cstring>
#include <nlohmann/json.hpp>

#include "string_search.hpp"

namespace hadrian::core {

namespace {

constexpr std::size_t max_depth = 512;

/// What a byte is to the scanner: structure that skipping a value must see, or nothing.
enum byte_kind : unsigned char { plain = 0, quote, opening, closing, separator };

constexpr std::array<unsigned char, 256> byte_kinds = [] {
    std::array<unsigned char, 256> t{};
    t['"'] = quote;
    t['{'] = t['['] = opening;
    t['}'] = t[']'] = closing;
    t[','] = t[' '] = t['\t'] = t['\n'] = t['\r'] = separator;
    return t;
}();

unsigned char kind(char c) { return byte_kinds[static_cast<unsigned char>(c)]; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_space(std::string_view s, std::size_t i) {
    // Compact JSON has no whitespace between tokens: one comparison tells most bytes apart.
    while (i < s.size() && static_cast<unsigned char>(s[i]) <= ' ' && is_space(s[i])) {
        ++i;
    }
    return i;
}

/// `i` at an opening quote: the index after the closing quote, or npos. A backslash escapes
/// the byte after it. `escaped`, when given, tells whether the string holds an escape.
std::size_t skip_string(std::string_view s, std::size_t i, bool* escaped = nullptr) {
    const char* p = s.data() + i + 1;
    const char* const end = s.data() + s.size();
    for (;;) {
        p = find_quote_or_backslash_inline(p, end);
        if (p == end) {
            return std::string_view::npos;
        }
        if (*p == '"') {
            return static_cast<std::size_t>(p - s.data()) + 1;
        }
        if (escaped != nullptr) {
            *escaped = true;
        }
        if (end - p < 2) {
            return std::string_view::npos;
        }
        p += 2;
    }
}

/// `i` at an opening bracket: the index after its container, or npos when malformed.
/// Brackets are counted; strings inside are skipped whole.
[[gnu::noinline]] std::size_t skip_container(std::string_view s, std::size_t i) {
    char stack[max_depth];
    std::size_t depth = 0;
    while (i < s.size()) {
        const char d = s[i];
        switch (kind(d)) {
            case quote:
                i = skip_string(s, i);
                if (i == std::string_view::npos) {
                    return i;
                }
                continue;
            case opening:
                if (depth == max_depth) {
                    return std::string_view::npos;
                }
                stack[depth++] = d == '{' ? '}' : ']';
                break;
            case closing:
                if (depth == 0 || stack[depth - 1] != d) {
                    return std::string_view::npos;
                }
                if (--depth == 0) {
                    return i + 1;
                }
                break;
            default:
                break;
        }
        ++i;
    }
    return std::string_view::npos;
}

/// `i` at the start of a value: the index after it, or npos when malformed.
std::size_t skip_value(std::string_view s, std::size_t i) {
    if (i >= s.size()) {
        return std::string_view::npos;
    }
    const char c = s[i];
    if (c == '"') {
        return skip_string(s, i);
    }
    if (c == '{' || c == '[') {
        return skip_container(s, i);
    }
    // A number or a literal: up to the next separator.
    const std::size_t start = i;
    while (i < s.size()) {
        const unsigned char k = kind(s[i]);
        if (k == separator || k == closing) {
            break;
        }
        ++i;
    }
    return i == start ? std::string_view::npos : i;
}

}  // namespace

std::optional<std::string> json_string_value(std::string_view text) {
    const std::size_t start = skip_space(text, 0);
    if (start >= text.size() || text[start] != '"') {
        return std::nullopt;
    }
    const std::size_t end = skip_string(text, start);
    if (end == std::string_view::npos) {
        return std::nullopt;
    }
    const std::string_view literal = text.substr(start, end - start);
    if (literal.find('\\') == std::string_view::npos) {
        return std::string(literal.substr(1, literal.size() - 2));
    }
    auto parsed = nlohmann::json::parse(literal, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_string()) {
        return std::nullopt;
    }
    return parsed.get<std::string>();
}

namespace {

/// What a walker's visitor returns besides the index after the value it walked.
constexpr std::size_t malformed = std::string_view::npos;
constexpr std::size_t stop = std::string_view::npos - 1;

/// `i` just after an item of a container closed by `close` (or `stop` or `malformed`, passed
/// on): the index of the next item, past the comma; or, with `closed` set, the index after
/// the container.
[[gnu::always_inline]] inline std::size_t next_item(std::string_view s, std::size_t i, char close,
                                                    bool& closed) {
    if (i == malformed || i == stop) {
        return i;
    }
    i = skip_space(s, i);
    if (i < s.size() && s[i] == ',') {
        return skip_space(s, i + 1);
    }
    if (i < s.size() && s[i] == close) {
        closed = true;
        return i + 1;
    }
    return malformed;
}

/// `visit(key, at)` with `literal`, a key that holds an escape, unescaped (rare: kept out of
/// the walk's loop).
template <class Visit>
[[gnu::noinline]] std::size_t visit_unescaped(std::string_view literal, std::size_t at,
                                              Visit& visit) {
    const std::optional<std::string> key = json_string_value(literal);
    return key ? visit(std::string_view(*key), at) : malformed;
}

/// Walks the object at s[i] (a `{`): calls `visit(key, value_index)` for each member, which
/// returns the index after the value, `stop` or `malformed`. Returns the index after the
/// closing `}`, `stop` or `malformed`.
template <class Visit>
std::size_t walk_object(std::string_view s, std::size_t i, Visit&& visit) {
    if (i >= s.size() || s[i] != '{') {
        return malformed;
    }
    i = skip_space(s, i + 1);
    if (i < s.size() && s[i] == '}') {
        return i + 1;
    }
    for (;;) {
        if (i >= s.size() || s[i] != '"') {
            return malformed;
        }
        bool escaped = false;
        const std::size_t key_end = skip_string(s, i, &escaped);
        if (key_end == std::string_view::npos) {
            return malformed;
        }
        const std::size_t key_start = i;
        i = skip_space(s, key_end);
        if (i >= s.size() || s[i] != ':') {
            return malformed;
        }
        i = skip_space(s, i + 1);
        if (i >= s.size()) {
            return malformed;
        }
        bool closed = false;
        // Keys are compared as written unless they hold an escape (rare): no copy.
        const std::size_t value_end =
            escaped ? visit_unescaped(s.substr(key_start, key_end - key_start), i, visit)
                    : visit(s.substr(key_start + 1, key_end - key_start - 2), i);
        i = next_item(s, value_end, '}', closed);
        if (closed || i == malformed || i == stop) {
            return i;
        }
    }
}

/// Walks the array at s[i] (a `[`) as walk_object does, calling `visit(element_index)`.
template <class Visit>
std::size_t walk_array(std::string_view s, std::size_t i, Visit&& visit) {
    if (i >= s.size() || s[i] != '[') {
        return malformed;
    }
    i = skip_space(s, i + 1);
    if (i < s.size() && s[i] == ']') {
        return i + 1;
    }
    for (;;) {
        if (i >= s.size()) {
            return malformed;
        }
        bool closed = false;
        i = next_item(s, visit(i), ']', closed);
        if (closed || i == malformed || i == stop) {
            return i;
        }
    }
}

/// Whether a whole-text walk that ended at `end` accepted `s`: stopped early by its visitor,
/// or a container followed by nothing but whitespace.
bool whole(std::string_view s, std::size_t end) {
    return end == stop || (end != malformed && skip_space(s, end) == s.size());
}

/// The index after `rest`'s first `size` bytes as the walkers count, from a `_at` visitor's
/// answer.
std::size_t after(std::size_t at, std::size_t size) {
    return size == json_npos ? malformed : at + size;
}

}  // namespace

bool json_members(std::string_view s, function_ref<bool(const json_member&)> visit) {
    const std::size_t end =
        walk_object(s, skip_space(s, 0), [&](std::string_view key, std::size_t at) {
            const std::size_t value_end = skip_value(s, at);
            if (value_end == std::string_view::npos) {
                return malformed;
            }
            return visit(json_member{key, s.substr(at, value_end - at)}) ? value_end : stop;
        });
    return whole(s, end);
}

std::size_t json_object_at(std::string_view rest,
                           function_ref<std::size_t(std::string_view, std::string_view)> visit) {
    const std::size_t end = walk_object(rest, 0, [&](std::string_view key, std::size_t at) {
        return after(at, visit(key, rest.substr(at)));
    });
    return end == malformed || end == stop ? json_npos : end;
}

std::size_t json_array_at(std::string_view rest,
                          function_ref<std::size_t(std::string_view)> visit) {
    const std::size_t end =
        walk_array(rest, 0, [&](std::size_t at) { return after(at, visit(rest.substr(at))); });
    return end == malformed || end == stop ? json_npos : end;
}

std::size_t json_value_size(std::string_view rest) {
    const std::size_t end = skip_value(rest, 0);
    return end == std::string_view::npos ? json_npos : end;
}

std::optional<std::string_view> json_member_value(std::string_view text, std::string_view key) {
    std::optional<std::string_view> found;
    json_members(text, [&](const json_member& m) {
        if (m.key == key) {
            found = m.value;
            return false;
        }
        return true;
    });
    return found;
}

bool json_elements(std::string_view s, function_ref<bool(std::string_view)> visit) {
    const std::size_t end = walk_array(s, skip_space(s, 0), [&](std::size_t at) {
        const std::size_t value_end = skip_value(s, at);
        if (value_end == std::string_view::npos) {
            return malformed;
        }
        return visit(s.substr(at, value_end - at)) ? value_end : stop;
    });
    return whole(s, end);
}

std::optional<std::string_view> json_first_element(std::string_view s) {
    std::optional<std::string_view> first;
    json_elements(s, [&](std::string_view element) {
        first = element;
        return false;
    });
    return first;
}

json_span json_span_of(std::string_view text, std::string_view part) {
    return {static_cast<std::size_t>(part.data() - text.data()), part.size()};
}

void json_append_quoted(std::string& out, std::string_view s) {
    // Printable ASCII without quotes or backslashes (model names, nearly always) is written
    // as it is; anything else goes through nlohmann for its escapes and UTF-8 checks.
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u > 0x7f || c == '"' || c == '\\') {
            out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            return;
        }
    }
    out.push_back('"');
    out.append(s);
    out.push_back('"');
}

std::string json_quote(std::string_view s) {
    std::string out;
    json_append_quoted(out, s);
    return out;
}

}  // namespace hadrian::core
