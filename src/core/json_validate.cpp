#include "hadrian/core/json_validate.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "string_search.hpp"

namespace hadrian::core {

namespace {

using byte = unsigned char;

bool is_space(byte c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

bool is_digit(byte c) { return c >= '0' && c <= '9'; }

const byte* skip_space(const byte* p, const byte* end) {
    while (p < end && is_space(*p)) {
        ++p;
    }
    return p;
}

bool in(byte c, byte lo, byte hi) { return c >= lo && c <= hi; }

/// `p` at a byte from 0x80: past one well-formed UTF-8 character (Unicode table 3-7: no
/// overlong forms, no surrogates, nothing above U+10FFFF), or null.
const byte* utf8_char(const byte* p, const byte* end) {
    const byte c = *p;
    std::size_t more = 0;
    byte lo = 0x80;
    byte hi = 0xBF;
    if (in(c, 0xC2, 0xDF)) {
        more = 1;
    } else if (in(c, 0xE0, 0xEF)) {
        more = 2;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (in(c, 0xF0, 0xF4)) {
        more = 3;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        return nullptr;
    }
    if (static_cast<std::size_t>(end - p) <= more || !in(p[1], lo, hi)) {
        return nullptr;
    }
    for (std::size_t i = 2; i <= more; ++i) {
        if (!in(p[i], 0x80, 0xBF)) {
            return nullptr;
        }
    }
    return p + 1 + more;
}

/// `p` after `\u`: the code unit of four hex digits, or -1.
int hex4(const byte* p, const byte* end) {
    if (end - p < 4) {
        return -1;
    }
    int v = 0;
    for (int i = 0; i < 4; ++i) {
        const byte c = p[i];
        int d = 0;
        if (is_digit(c)) {
            d = c - '0';
        } else if (in(c, 'a', 'f')) {
            d = c - 'a' + 10;
        } else if (in(c, 'A', 'F')) {
            d = c - 'A' + 10;
        } else {
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

/// `p` after a backslash: past the escape (a surrogate pair as a whole), or null.
const byte* escape(const byte* p, const byte* end) {
    if (p == end) {
        return nullptr;
    }
    switch (*p) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            return p + 1;
        case 'u':
            break;
        default:
            return nullptr;
    }
    const int unit = hex4(p + 1, end);
    if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF)) {
        return nullptr;  // a low surrogate must follow a high one
    }
    p += 5;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
        // A high surrogate must be followed by an escaped low one.
        if (end - p < 2 || p[0] != '\\' || p[1] != 'u') {
            return nullptr;
        }
        const int low = hex4(p + 2, end);
        if (low < 0xDC00 || low > 0xDFFF) {
            return nullptr;
        }
        p += 6;
    }
    return p;
}

/// `p` after an opening quote: past the closing quote, or null.
const byte* string_end(const byte* p, const byte* end) {
    for (;;) {
        p = find_string_stop_inline(p, end);
        if (p == end) {
            return nullptr;
        }
        if (*p == '"') {
            return p + 1;
        }
        if (*p == '\\') {
            p = escape(p + 1, end);
        } else if (*p < 0x20) {
            return nullptr;
        } else {
            p = utf8_char(p, end);
        }
        if (p == nullptr) {
            return nullptr;
        }
    }
}

/// `p` at a number's first byte: past it, or null when malformed or beyond a double (the
/// parser reads numbers that overflow its integers as doubles, and rejects infinities).
const byte* number_end(const byte* p, const byte* end) {
    const byte* start = p;
    if (p < end && *p == '-') {
        ++p;
    }
    if (p == end || !is_digit(*p)) {
        return nullptr;
    }
    if (*p == '0') {
        ++p;
    } else {
        while (p < end && is_digit(*p)) {
            ++p;
        }
    }
    if (p < end && *p == '.') {
        ++p;
        if (p == end || !is_digit(*p)) {
            return nullptr;
        }
        while (p < end && is_digit(*p)) {
            ++p;
        }
    }
    bool exponent = false;
    if (p < end && (*p == 'e' || *p == 'E')) {
        exponent = true;
        ++p;
        if (p < end && (*p == '+' || *p == '-')) {
            ++p;
        }
        if (p == end || !is_digit(*p)) {
            return nullptr;
        }
        while (p < end && is_digit(*p)) {
            ++p;
        }
    }
    // Without an exponent, only a number of more than 300 digits can exceed a double.
    if (exponent || p - start > 300) {
        double value = 0;
        const auto* first = reinterpret_cast<const char*>(start);
        const auto [at, ec] = std::from_chars(first, reinterpret_cast<const char*>(p), value);
        if (ec != std::errc{} || at != reinterpret_cast<const char*>(p) || !std::isfinite(value)) {
            return nullptr;  // out of range either way: the parser decides
        }
    }
    return p;
}

const byte* literal_end(const byte* p, const byte* end, std::string_view word) {
    if (static_cast<std::size_t>(end - p) < word.size()) {
        return nullptr;
    }
    for (std::size_t i = 0; i < word.size(); ++i) {
        if (p[i] != static_cast<byte>(word[i])) {
            return nullptr;
        }
    }
    return p + word.size();
}

/// `p` at a scalar value (string, number, literal): past it, or null.
const byte* scalar_end(const byte* p, const byte* end) {
    switch (*p) {
        case '"':
            return string_end(p + 1, end);
        case 't':
            return literal_end(p, end, "true");
        case 'f':
            return literal_end(p, end, "false");
        case 'n':
            return literal_end(p, end, "null");
        default:
            return number_end(p, end);
    }
}

}  // namespace

bool json_surely_valid(std::string_view text) noexcept {
    const auto* p = reinterpret_cast<const byte*>(text.data());
    const byte* const end = p + text.size();
    // The closing bracket of each open container, innermost last.
    std::array<byte, max_json_check_depth> open{};
    std::size_t depth = 0;
    enum class next { value, key, after_value } state = next::value;
    for (;;) {
        p = skip_space(p, end);
        switch (state) {
            case next::value:
                if (p == end) {
                    return false;
                }
                if (*p == '{' || *p == '[') {
                    if (depth == open.size()) {
                        return false;
                    }
                    const byte close = *p == '{' ? '}' : ']';
                    open[depth++] = close;
                    p = skip_space(p + 1, end);
                    if (p < end && *p == close) {
                        ++p;
                        --depth;
                        state = next::after_value;
                    } else {
                        state = close == '}' ? next::key : next::value;
                    }
                    continue;
                }
                p = scalar_end(p, end);
                if (p == nullptr) {
                    return false;
                }
                state = next::after_value;
                continue;
            case next::key:
                if (p == end || *p != '"') {
                    return false;
                }
                p = string_end(p + 1, end);
                if (p == nullptr) {
                    return false;
                }
                p = skip_space(p, end);
                if (p == end || *p != ':') {
                    return false;
                }
                ++p;
                state = next::value;
                continue;
            case next::after_value:
                if (depth == 0) {
                    return p == end;
                }
                if (p == end) {
                    return false;
                }
                if (*p == ',') {
                    ++p;
                    state = open[depth - 1] == '}' ? next::key : next::value;
                    continue;
                }
                if (*p != open[depth - 1]) {
                    return false;
                }
                ++p;
                --depth;
                continue;
        }
    }
}

}  // namespace hadrian::core
