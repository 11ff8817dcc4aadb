#include "hadrian/core/header_fields.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace hadrian::core {
namespace {

TEST(HeaderFields, KnownAndUnknownNamesAreFoundInAnyCase) {
    header_fields h;
    h.add("Retry-After", "3");
    h.add("x-amzn-ErrorType", "ThrottlingException:http://x");
    h.add("X-Empty", "");
    h.add("retry-after", "9");
    EXPECT_EQ(h.size(), 4u);
    EXPECT_EQ(h[http::field::retry_after], "3");  // the first of a repeated field
    EXPECT_EQ(h["RETRY-AFTER"], "3");
    EXPECT_EQ(h["X-Amzn-Errortype"], "ThrottlingException:http://x");
    EXPECT_TRUE(h.contains("x-empty"));
    EXPECT_EQ(h["x-empty"], "");
    EXPECT_FALSE(h.contains("x-missing"));
    EXPECT_FALSE(h.contains("x-amzn"));  // a prefix is not the name
    EXPECT_EQ(h[http::field::content_type], "");
}

TEST(HeaderFields, ManyLongFieldsKeepTheirValues) {
    // Past the first buffer's size: values must survive the buffer's growth.
    header_fields h;
    for (int i = 0; i < 40; ++i) {
        h.add("X-Field-" + std::to_string(i), std::string(50, static_cast<char>('a' + i % 26)));
    }
    for (int i = 0; i < 40; ++i) {
        EXPECT_EQ(h["x-field-" + std::to_string(i)],
                  std::string(50, static_cast<char>('a' + i % 26)));
    }
    h.clear();
    EXPECT_EQ(h.size(), 0u);
    EXPECT_FALSE(h.contains("X-Field-0"));
}

TEST(HeaderFields, NameAndValueOfOneReceivedLineAreKeptAsGiven) {
    // Views into one field line (copied in one piece) and views into separate strings.
    const std::string line = "X-Line:   spaced value\r\n";
    const std::string_view text = line;
    header_fields h;
    h.add(text.substr(0, 6), text.substr(10, 12));
    h.add("X-Apart", "elsewhere");
    const std::string far(64, 'f');
    h.add(text.substr(0, 6), far);                // a value far from its name
    h.add(text.substr(0, 6), text.substr(7, 0));  // an empty value just after the colon
    ASSERT_EQ(h.size(), 4u);
    EXPECT_EQ(h["x-line"], "spaced value");
    EXPECT_EQ(h["X-Apart"], "elsewhere");
    header_fields only_far;
    only_far.add(text.substr(0, 6), far);
    EXPECT_EQ(only_far["X-Line"], far);
    header_fields only_empty;
    only_empty.add(text.substr(0, 6), text.substr(7, 0));
    EXPECT_TRUE(only_empty.contains("X-LINE"));
    EXPECT_EQ(only_empty["X-LINE"], "");
}

}  // namespace
}  // namespace hadrian::core
