#include "hadrian/core/log.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hadrian::core {
namespace {

using std::chrono::microseconds;
using std::chrono::system_clock;

std::string log_time(std::int64_t us) {
    std::string out = "x";
    append_log_time(out, system_clock::time_point(microseconds(us)));
    return out;
}

TEST(LogTime, UtcToTheMicrosecond) {
    EXPECT_EQ(log_time(0), "x1970-01-01T00:00:00.000000Z");
    EXPECT_EQ(log_time(1'795'705'431'000'042), "x2026-11-26T15:03:51.000042Z");
    // The next second of the same thread, and one long before it.
    EXPECT_EQ(log_time(1'795'705'432'999'999), "x2026-11-26T15:03:52.999999Z");
    EXPECT_EQ(log_time(951'782'400'500'000), "x2000-02-29T00:00:00.500000Z");
    EXPECT_EQ(log_time(-1), "x1969-12-31T23:59:59.999999Z");
}

TEST(JsonEscape, EscapesQuotesBackslashesAndControlCharacters) {
    EXPECT_EQ(json_escape(""), "");
    EXPECT_EQ(json_escape("plain text/ü"), "plain text/ü");
    EXPECT_EQ(json_escape("a\"b\\c"), R"(a\"b\\c)");
    EXPECT_EQ(json_escape("l1\nl2\r\t"), R"(l1\nl2\r\t)");
    EXPECT_EQ(json_escape(std::string("\x00\x1f\x7f", 3)), R"(\u0000\u001f\u007f)");
    // Each escaped byte within the room promised for it.
    const std::string worst(3, '\x01');
    std::string out(worst.size() * json_escape_growth + 1, '#');
    char* end = write_json_escaped(out.data(), worst);
    EXPECT_EQ(std::string_view(out.data(), static_cast<std::size_t>(end - out.data())),
              R"(\u0001\u0001\u0001)");
    EXPECT_EQ(out.back(), '#');
}

/// What json_escape must give, byte by byte.
std::string escaped_slowly(std::string_view s) {
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            static constexpr std::string_view hex = "0123456789abcdef";
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += ch;
        }
    }
    return out;
}

TEST(JsonEscape, EveryByteAtEveryPositionOfLongAndShortStrings) {
    // Plain text around one byte of each kind, at each position: the blocks of 16 bytes and
    // the tail after them.
    const std::string kinds = std::string("\"\\\n\x01\x1f\x7f\x80 ~\xff", 10) + '\0';
    for (std::size_t size = 1; size <= 40; ++size) {
        for (std::size_t at = 0; at < size; ++at) {
            for (const char k : kinds) {
                std::string s(size, 'a');
                s[at] = k;
                s[size - 1 - at] = '"';
                ASSERT_EQ(json_escape(s), escaped_slowly(s)) << size << " " << at << " " << +k;
            }
        }
    }
}

}  // namespace
}  // namespace hadrian::core
