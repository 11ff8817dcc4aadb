#include "hadrian/api/number_fields.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace hadrian::api {
namespace {

TEST(NumberFields, KeepsNamesAndNumbersInOrder) {
    number_fields f;
    EXPECT_TRUE(f.empty());
    f.add("X-RateLimit-Limit", 100);
    f.add("X-RateLimit-Remaining", 0);
    f.add("X-Min", std::numeric_limits<std::int64_t>::min());
    f.add("X-Max", std::numeric_limits<std::int64_t>::max());
    ASSERT_EQ(f.size(), 4U);
    EXPECT_EQ(f.name(0), "X-RateLimit-Limit");
    EXPECT_EQ(f.name(3), "X-Max");
    EXPECT_EQ(f.value(0), 100);
    EXPECT_EQ(f.value(2), std::numeric_limits<std::int64_t>::min());
    number_fields::text_buffer text;
    EXPECT_EQ(f.text(0, text), "100");
    EXPECT_EQ(f.text(1, text), "0");
    EXPECT_EQ(f.text(2, text), "-9223372036854775808");
    EXPECT_EQ(f.text(3, text), "9223372036854775807");
}

TEST(NumberFields, NamesLongerThan255AreLeftOut) {
    static const std::string long_name(256, 'X');
    number_fields f;
    f.add(long_name, 1);
    f.add(std::string_view(long_name).substr(0, 255), 2);
    ASSERT_EQ(f.size(), 1U);
    EXPECT_EQ(f.name(0).size(), 255U);
    EXPECT_EQ(f.value(0), 2);
}

TEST(NumberFields, FieldsBeyondCapacityAreLeftOut) {
    number_fields f;
    for (std::size_t i = 0; i < number_fields::capacity + 3; ++i) {
        f.add("X-N", static_cast<std::int64_t>(i));
    }
    ASSERT_EQ(f.size(), number_fields::capacity);
    EXPECT_EQ(f.value(number_fields::capacity - 1),
              static_cast<std::int64_t>(number_fields::capacity - 1));
}

}  // namespace
}  // namespace hadrian::api
