#include "hadrian/auth/scopes.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hadrian::auth {
namespace {

TEST(scopes, the_five_documented_names_are_valid) {
    EXPECT_TRUE(valid_scope("chat"));
    EXPECT_TRUE(valid_scope("completions"));
    EXPECT_TRUE(valid_scope("embeddings"));
    EXPECT_TRUE(valid_scope("models"));
    EXPECT_TRUE(valid_scope("admin"));
    EXPECT_EQ(all_scopes.size(), 5u);
    for (auto s : all_scopes) {
        EXPECT_TRUE(valid_scope(s)) << s;
    }
}

TEST(scopes, anything_else_is_invalid) {
    EXPECT_FALSE(valid_scope(""));
    EXPECT_FALSE(valid_scope("Chat"));
    EXPECT_FALSE(valid_scope("ADMIN"));
    EXPECT_FALSE(valid_scope(" chat"));
    EXPECT_FALSE(valid_scope("chat "));
    EXPECT_FALSE(valid_scope("model"));
    EXPECT_FALSE(valid_scope("*"));
    EXPECT_FALSE(valid_scope("responses"));
}

TEST(scopes, first_invalid_scope) {
    EXPECT_EQ(first_invalid_scope({}), std::nullopt);
    EXPECT_EQ(first_invalid_scope({"chat", "admin"}), std::nullopt);
    EXPECT_EQ(first_invalid_scope({"chat", "admin", "chat"}), std::nullopt);
    EXPECT_EQ(first_invalid_scope({"chat", "bogus", "worse"}), "bogus");
    EXPECT_EQ(first_invalid_scope({""}), "");
    EXPECT_EQ(first_invalid_scope({"models", "Embeddings"}), "Embeddings");
}

}  // namespace
}  // namespace hadrian::auth
