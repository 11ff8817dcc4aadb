#include "hadrian/auth/model_pattern.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace hadrian::auth {
namespace {

TEST(model_allowed, table) {
    struct row {
        std::vector<std::string> patterns;
        std::string_view model;
        bool allowed;
    };
    const row rows[] = {
        {{}, "gpt-4o", true},
        {{}, "", true},
        {{"*"}, "anything/at-all", true},
        {{"*"}, "", true},
        {{"gpt-4o"}, "gpt-4o", true},
        {{"gpt-4o"}, "gpt-4o-mini", false},
        {{"gpt-4o"}, "gpt-4", false},
        {{"gpt-4o"}, "GPT-4o", false},
        {{"gpt-4*"}, "gpt-4", true},
        {{"gpt-4*"}, "gpt-4o-mini", true},
        {{"gpt-4*"}, "gpt-3.5-turbo", false},
        {{"gpt-4*"}, "gpt-", false},
        {{"openai/*"}, "openai/gpt-4o", true},
        {{"openai/*"}, "anthropic/claude", false},
        {{"gpt-4o", "claude-*"}, "claude-sonnet-4-5", true},
        {{"gpt-4o", "claude-*"}, "gpt-4o", true},
        {{"gpt-4o", "claude-*"}, "llama-3", false},
        {{"g*t"}, "g*t", true},  // a star that is not last is literal
        {{"g*t"}, "gpt", false},
        {{""}, "gpt-4o", false},
        {{"gpt-4o", "*"}, "mistral", true},
    };
    for (const row& r : rows) {
        std::string shown;
        for (const auto& p : r.patterns) {
            shown += "'" + p + "' ";
        }
        EXPECT_EQ(model_allowed(r.patterns, r.model), r.allowed)
            << "patterns " << shown << "model '" << r.model << "'";
    }
}

TEST(valid_model_pattern, table) {
    EXPECT_TRUE(valid_model_pattern("gpt-4o"));
    EXPECT_TRUE(valid_model_pattern("gpt-4*"));
    EXPECT_TRUE(valid_model_pattern("*"));
    EXPECT_FALSE(valid_model_pattern(""));
    EXPECT_FALSE(valid_model_pattern("**"));
    EXPECT_FALSE(valid_model_pattern("*gpt"));
    EXPECT_FALSE(valid_model_pattern("g*t"));
}

}  // namespace
}  // namespace hadrian::auth
