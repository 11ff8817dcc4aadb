#include "hadrian/api/number_fields.hpp"

#include <gtest/gtest.h>

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
    EXPECT_EQ(f.value(0), "100");
    EXPECT_EQ(f.value(1), "0");
    EXPECT_EQ(f.value(2), "-9223372036854775808");
    EXPECT_EQ(f.value(3), "9223372036854775807");
}

TEST(NumberFields, FieldsBeyondCapacityAreLeftOut) {
    number_fields f;
    for (std::size_t i = 0; i < number_fields::capacity + 3; ++i) {
        f.add("X-N", static_cast<std::int64_t>(i));
    }
    ASSERT_EQ(f.size(), number_fields::capacity);
    EXPECT_EQ(f.value(number_fields::capacity - 1), std::to_string(number_fields::capacity - 1));
}

}  // namespace
}  // namespace hadrian::api
