#include "hadrian/core/line_break.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hadrian::core {
namespace {

constexpr auto npos = std::string_view::npos;

TEST(LineBreak, FindsTheFirstOfEitherCharacter) {
    EXPECT_EQ(find_line_break(""), npos);
    EXPECT_EQ(find_line_break("plain value"), npos);
    EXPECT_EQ(find_line_break("\n"), 0u);
    EXPECT_EQ(find_line_break("\r"), 0u);
    EXPECT_EQ(find_line_break("ab\ncd\re"), 2u);
    EXPECT_EQ(find_line_break("ab\rcd\ne"), 2u);
    EXPECT_EQ(find_line_break("ab\r\n"), 2u);
    EXPECT_EQ(find_line_break("abc\n\r"), 3u);
    EXPECT_EQ(find_line_break("value\r"), 5u);
    EXPECT_EQ(find_line_break(std::string_view("a\0b\n", 4)), 3u);  // NUL is not a break
}

TEST(LineBreak, AgreesWithFindFirstOfAtEveryPosition) {
    // Each break character at every position of a long text, with and without the other one
    // after it: the two memchr passes must give what a byte-by-byte search gives.
    for (const char first : {'\r', '\n'}) {
        for (std::size_t at = 0; at < 70; ++at) {
            std::string text(70, 'x');
            text[at] = first;
            EXPECT_EQ(find_line_break(text), text.find_first_of("\r\n")) << at;
            if (at + 5 < text.size()) {
                text[at + 5] = first == '\r' ? '\n' : '\r';
                EXPECT_EQ(find_line_break(text), at) << at;
            }
            EXPECT_TRUE(has_line_break(text));
        }
    }
    EXPECT_FALSE(has_line_break(std::string(300, 'y')));
}

}  // namespace
}  // namespace hadrian::core
