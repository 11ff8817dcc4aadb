#include "hadrian/core/find_text.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace hadrian::core {
namespace {

std::size_t found_at(std::string_view text, std::string_view needle) {
    const char* at = find_text(text.data(), text.data() + text.size(), needle);
    return at == text.data() + text.size() && !needle.empty()
               ? std::string_view::npos
               : static_cast<std::size_t>(at - text.data());
}

TEST(FindText, AgreesWithFindOnEveryPlacementAndSize) {
    const std::string needles[] = {"\"usage\"",           "u", "ab", "abc", "aaaaaaaaaaaaaaaaaaab",
                                   std::string("x\0y", 3)};
    for (const std::string& needle : needles) {
        for (std::size_t size = 0; size <= 70; ++size) {
            for (std::size_t at = 0; at + needle.size() <= size; ++at) {
                std::string text(size, 'a');
                text.replace(at, needle.size(), needle);
                ASSERT_EQ(found_at(text, needle), text.find(needle))
                    << "needle " << needle << " size " << size << " at " << at;
            }
            const std::string without(size, 'b');
            ASSERT_EQ(found_at(without, needle), std::string::npos) << size;
        }
    }
}

TEST(FindText, NearMissesAndRandomText) {
    // First and last bytes match where the middle does not.
    EXPECT_EQ(found_at(R"({"usaxe":1,"u""usage":null})", "\"usage\""), 14U);
    EXPECT_EQ(found_at("abc", ""), 0U);
    EXPECT_EQ(found_at("ab", "abc"), std::string::npos);
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> letter('a', 'c');
    for (int round = 0; round < 2000; ++round) {
        std::string text(static_cast<std::size_t>(rng() % 100), 'a');
        for (char& c : text) {
            c = static_cast<char>(letter(rng));
        }
        std::string needle(1 + rng() % 4, 'a');
        for (char& c : needle) {
            c = static_cast<char>(letter(rng));
        }
        ASSERT_EQ(found_at(text, needle), text.find(needle)) << text << " / " << needle;
    }
}

}  // namespace
}  // namespace hadrian::core
