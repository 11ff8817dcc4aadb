#include "hadrian/core/json_scan.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace hadrian::core {
namespace {

std::vector<std::pair<std::string, std::string>> members(std::string_view text,
                                                         bool* ok = nullptr) {
    std::vector<std::pair<std::string, std::string>> out;
    const bool good = json_members(text, [&](const json_member& m) {
        out.emplace_back(m.key, std::string(m.value));
        return true;
    });
    if (ok != nullptr) {
        *ok = good;
    }
    return out;
}

TEST(JsonScan, TopLevelMembersWithTheirExactValueText) {
    bool ok = false;
    const auto m =
        members(R"( {"model":"gpt-4o", "n" : 2,"messages":[{"role":"user","content":"a]}\"{"}],)"
                R"("usage":{"a":{"b":[1,2]}},"t":true,"x":null,"f":-1.5e3} )",
                &ok);
    EXPECT_TRUE(ok);
    ASSERT_EQ(m.size(), 7u);
    EXPECT_EQ(m[0], (std::pair<std::string, std::string>{"model", R"("gpt-4o")"}));
    EXPECT_EQ(m[1].second, "2");
    EXPECT_EQ(m[2].second, R"([{"role":"user","content":"a]}\"{"}])");
    EXPECT_EQ(m[3].second, R"({"a":{"b":[1,2]}})");
    EXPECT_EQ(m[4].second, "true");
    EXPECT_EQ(m[5].second, "null");
    EXPECT_EQ(m[6].second, "-1.5e3");
}

TEST(JsonScan, EscapedKeysAreUnescaped) {
    const auto m = members(R"({"mo\u0064el":"x","a\\":1})");
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[0].first, "model");
    EXPECT_EQ(m[1].first, "a\\");
}

TEST(JsonScan, MalformedTextIsRefused) {
    for (std::string_view bad :
         {"", "[]", "{", R"({"a":})", R"({"a" 1})", R"({"a":1,})", R"({"a":[1,2})",
          R"({"a":"unterminated})", R"({"a":{"b":1]})", R"({"a":1} x)", R"({a:1})"}) {
        bool ok = true;
        members(bad, &ok);
        EXPECT_FALSE(ok) << bad;
    }
    bool ok = false;
    members("{}", &ok);
    EXPECT_TRUE(ok);
}

TEST(JsonScan, MemberValueAndFirstElement) {
    const std::string_view body =
        R"({"id":"x","choices":[{"index":0,"finish_reason":"length"},{"index":1}],"usage":{}})";
    const auto choices = json_member_value(body, "choices");
    ASSERT_TRUE(choices);
    const auto first = json_first_element(*choices);
    ASSERT_TRUE(first);
    EXPECT_EQ(*first, R"({"index":0,"finish_reason":"length"})");
    EXPECT_EQ(json_string_value(*json_member_value(*first, "finish_reason")), "length");
    EXPECT_FALSE(json_member_value(body, "missing"));
    EXPECT_FALSE(json_first_element("[]"));
    EXPECT_FALSE(json_first_element("{}"));
}

TEST(JsonScan, LongStringsAndDeepNestingAreSkipped) {
    std::string big = R"({"image":")" + std::string(1 << 20, 'A') + R"(","max_tokens":5})";
    EXPECT_EQ(json_member_value(big, "max_tokens"), "5");
    std::string deep = R"({"a":)" + std::string(600, '[') + std::string(600, ']') + "}";
    bool ok = true;
    members(deep, &ok);
    EXPECT_FALSE(ok) << "deeper than the bound";
}

TEST(JsonScan, StringValue) {
    EXPECT_EQ(json_string_value(R"("plain")"), "plain");
    EXPECT_EQ(json_string_value(R"("tab\there \"q\" \u00e9")"), "tab\there \"q\" \xc3\xa9");
    EXPECT_FALSE(json_string_value("12"));
    EXPECT_FALSE(json_string_value(R"("open)"));
}

}  // namespace
}  // namespace hadrian::core
