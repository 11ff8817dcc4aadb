#include "hadrian/core/ascii_case.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hadrian::core {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

TEST(AsciiCase, EveryPairOfBytesComparesAsItsLowerCase) {
    // In every place of a word and of the bytes before and after it.
    for (const std::size_t n : {1u, 8u, 13u}) {
        for (int x = 0; x < 256; ++x) {
            for (int y = 0; y < 256; ++y) {
                std::string a(n, 'q');
                std::string b(n, 'Q');
                a[n / 2] = static_cast<char>(x);
                b[n / 2] = static_cast<char>(y);
                ASSERT_EQ(iequals(a, b), lower(a[n / 2]) == lower(b[n / 2]))
                    << n << " " << x << " " << y;
            }
        }
    }
}

TEST(AsciiCase, ADifferenceAnywhereIsFoundWhateverTheLength) {
    for (std::size_t n = 0; n <= 40; ++n) {
        std::string a;
        for (std::size_t i = 0; i < n; ++i) {
            a += static_cast<char>('a' + i % 26);
        }
        std::string upper = a;
        for (char& c : upper) {
            c = static_cast<char>(c - 'a' + 'A');
        }
        EXPECT_TRUE(iequals(a, upper)) << n;
        for (std::size_t at = 0; at < n; ++at) {
            std::string b = upper;
            b[at] = '-';
            EXPECT_FALSE(iequals(a, b)) << n << " at " << at;
        }
        EXPECT_FALSE(iequals(a, a + "x"));
    }
    EXPECT_TRUE(iequals("Content-Length", "content-length"));
    EXPECT_FALSE(iequals("Content-Lengt^", "content-lengt~"));
    EXPECT_FALSE(iequals("caf\xc3\xa9", "CAF\xc3\x89"));  // only ASCII letters fold
}

}  // namespace
}  // namespace hadrian::core
