#include "storage/key_cursor.hpp"

#include <charconv>

namespace hadrian::storage {

namespace {

constexpr std::string_view version_tag = "c1";
constexpr char hex_digits[] = "0123456789abcdef";

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

}  // namespace

std::string encode_key_cursor(const key_cursor& c) {
    const std::string plain = std::to_string(c.created_at) + ':' + c.id;
    std::string out(version_tag);
    out.reserve(version_tag.size() + plain.size() * 2);
    for (unsigned char ch : plain) {
        out += hex_digits[ch >> 4];
        out += hex_digits[ch & 0x0f];
    }
    return out;
}

std::optional<key_cursor> decode_key_cursor(std::string_view text) {
    if (!text.starts_with(version_tag)) {
        return std::nullopt;
    }
    text.remove_prefix(version_tag.size());
    if (text.empty() || text.size() % 2 != 0) {
        return std::nullopt;
    }
    std::string plain;
    plain.reserve(text.size() / 2);
    for (std::size_t i = 0; i < text.size(); i += 2) {
        const int hi = hex_value(text[i]);
        const int lo = hex_value(text[i + 1]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        plain += static_cast<char>(hi << 4 | lo);
    }
    const auto colon = plain.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == plain.size()) {
        return std::nullopt;
    }
    key_cursor c;
    const char* first = plain.data();
    const char* last = plain.data() + colon;
    const auto [end, ec] = std::from_chars(first, last, c.created_at);
    if (ec != std::errc() || end != last) {
        return std::nullopt;
    }
    c.id = plain.substr(colon + 1);
    return c;
}

}  // namespace hadrian::storage
