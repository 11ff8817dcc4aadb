#include "hadrian/auth/key_hash_memo.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace hadrian::auth {
namespace {

constexpr std::string_view first_key = "gw_live_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
constexpr std::string_view second_key = "gw_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

TEST(key_hash_memo, gives_the_stored_hash_of_a_key) {
    key_hash_memo memo;
    EXPECT_EQ(memo.hash(first_key), hash_api_key(first_key));
    // The same key again: the same hash.
    EXPECT_EQ(memo.hash(first_key), hash_api_key(first_key));
}

TEST(key_hash_memo, a_different_key_gets_its_own_hash) {
    key_hash_memo memo;
    ASSERT_EQ(memo.hash(first_key), hash_api_key(first_key));
    EXPECT_EQ(memo.hash(second_key), hash_api_key(second_key));
    EXPECT_EQ(memo.hash(first_key), hash_api_key(first_key));
}

TEST(key_hash_memo, a_key_differing_in_its_last_character_is_not_taken_for_the_held_one) {
    key_hash_memo memo;
    std::string other(first_key);
    other.back() = 'H';
    ASSERT_EQ(memo.hash(first_key), hash_api_key(first_key));
    EXPECT_EQ(memo.hash(other), hash_api_key(other));
    EXPECT_NE(hash_api_key(other), hash_api_key(first_key));
}

TEST(key_hash_memo, a_malformed_key_has_no_hash_and_leaves_the_held_one) {
    key_hash_memo memo;
    ASSERT_EQ(memo.hash(first_key), hash_api_key(first_key));
    EXPECT_TRUE(memo.hash("gw_live_short").empty());
    EXPECT_TRUE(memo.hash("").empty());
    std::string bad_char(first_key);
    bad_char[20] = '!';  // same length as a key, not its alphabet
    EXPECT_TRUE(memo.hash(bad_char).empty());
    EXPECT_EQ(memo.hash(first_key), hash_api_key(first_key));
}

TEST(key_hash_memo, a_fresh_memo_does_not_take_an_all_zero_key_for_a_held_one) {
    key_hash_memo memo;
    const std::string zeros(api_key_length, '\0');
    EXPECT_TRUE(memo.hash(zeros).empty());
}

}  // namespace
}  // namespace hadrian::auth
