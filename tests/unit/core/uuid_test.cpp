#include "hadrian/core/uuid.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace hadrian::core {
namespace {

bool hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

TEST(Uuid, IsVersion4InItsTextForm) {
    for (int n = 0; n < 1000; ++n) {
        const std::string id = new_uuid();
        ASSERT_EQ(id.size(), 36u) << id;
        for (std::size_t i = 0; i < id.size(); ++i) {
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                EXPECT_EQ(id[i], '-') << id;
            } else {
                EXPECT_TRUE(hex_digit(id[i])) << id;
            }
        }
        EXPECT_EQ(id[14], '4') << id;                                          // version
        EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;  // variant
    }
}

TEST(Uuid, DoesNotRepeat) {
    std::set<std::string> seen;
    for (int n = 0; n < 10000; ++n) {
        EXPECT_TRUE(seen.insert(new_uuid()).second);
    }
}

}  // namespace
}  // namespace hadrian::core
