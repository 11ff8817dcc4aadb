#include "hadrian/core/json_validate.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <string>
#include <vector>

namespace hadrian::core {
namespace {

bool parser_accepts(std::string_view text) {
    return !nlohmann::json::parse(text, nullptr, false).is_discarded();
}

const std::vector<std::string>& valid_documents() {
    static const std::vector<std::string> docs = {
        R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})",
        " \n\t{ \"a\" : [ 1 , -2.5e+3 , 0 , -0 , 0.125 , 1E-2 , 9007199254740993 ] } \r\n",
        R"([true,false,null,"",{},[],[[]],{"":{}}])",
        R"("a string alone")",
        "0",
        "-1.0e308",
        "123456789012345678901234567890",
        R"({"esc":"\" \\ \/ \b \f \n \r \t \u0041 \u00e9 \uD83D\uDE00 \u0000"})",
        "{\"utf8\":\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xED\x9F\xBF \xF4\x8F\xBF\xBF\"}",
        "\"\x7F\"",
        R"({"content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,)"
        R"(iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="}}]})",
    };
    return docs;
}

TEST(JsonSurelyValid, AcceptsWhatTheParserAccepts) {
    for (const auto& doc : valid_documents()) {
        EXPECT_TRUE(parser_accepts(doc)) << doc;
        EXPECT_TRUE(json_surely_valid(doc)) << doc;
    }
}

TEST(JsonSurelyValid, RejectsMalformedText) {
    const std::vector<std::string> bad = {
        "",
        "   ",
        "{",
        "}",
        "[1,]",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{a:1}",
        "{\"a\":1}}",
        "[1 2]",
        "[1] [2]",
        "01",
        "-",
        "1.",
        ".5",
        "+1",
        "1e",
        "1e+",
        "0x10",
        "NaN",
        "Infinity",
        "1e309",
        "-1e400",
        std::string(400, '9'),
        "tru",
        "truex",
        "nul",
        "'a'",
        "\"open",
        "\"bad \\x escape\"",
        "\"\\u12\"",
        "\"\\uD800\"",               // a high surrogate alone
        "\"\\uD800\\u0041\"",        // followed by no low surrogate
        "\"\\uDC00\"",               // a low surrogate alone
        std::string("\"a\0b\"", 5),  // a control character in a string
        "\"tab\there\"",
        "\"\xC0\xAF\"",          // overlong
        "\"\xE0\x80\xAF\"",      // overlong
        "\"\xED\xA0\x80\"",      // an encoded surrogate
        "\"\xF4\x90\x80\x80\"",  // above U+10FFFF
        "\"\xF5\x80\x80\x80\"",
        "\"\x80\"",
        "\"\xC3\"",  // cut short
        "\"caf\xC3\"",
        "[1] // comment",
        "/* c */ 1",
    };
    for (const auto& text : bad) {
        EXPECT_FALSE(parser_accepts(text)) << "test case accepted by the parser: " << text;
        EXPECT_FALSE(json_surely_valid(text)) << text;
    }
}

TEST(JsonSurelyValid, LeavesDeepNestingAndByteOrderMarksToTheParser) {
    const std::string deep =
        std::string(max_json_check_depth + 1, '[') + std::string(max_json_check_depth + 1, ']');
    EXPECT_TRUE(parser_accepts(deep));
    EXPECT_FALSE(json_surely_valid(deep));
    const std::string at_limit =
        std::string(max_json_check_depth, '[') + std::string(max_json_check_depth, ']');
    EXPECT_TRUE(json_surely_valid(at_limit));
    EXPECT_FALSE(json_surely_valid("\xEF\xBB\xBF{}"));
    // The parser stops at a NUL byte after the value and ignores what follows.
    const std::string after_nul("{}\0 trailing", 12);
    EXPECT_TRUE(parser_accepts(after_nul));
    EXPECT_FALSE(json_surely_valid(after_nul));
}

TEST(JsonSurelyValid, LongStringsAreCheckedToTheirLastByte) {
    // The scan goes 32 or 16 bytes at a time: a bad byte at every position of the blocks and
    // the tail is found, and so is a byte from 0x80 (the start of a multi-byte character).
    for (std::size_t at = 0; at < 80; ++at) {
        std::string s(80, 'x');
        s[at] = '\xff';
        EXPECT_FALSE(json_surely_valid("\"" + s + "\"")) << at;
        s[at] = '\\';
        EXPECT_FALSE(json_surely_valid("\"" + s + "\"")) << at;
        s[at] = '\x01';
        EXPECT_FALSE(json_surely_valid("\"" + s + "\"")) << at;
        s[at] = '"';
        EXPECT_FALSE(json_surely_valid("\"" + s + "\"")) << at;
        s[at] = 'y';
        EXPECT_TRUE(json_surely_valid("\"" + s + "\"")) << at;
    }
}

/// Random edits of valid documents: whatever the checker accepts, the parser accepts, and it
/// accepts all the parser does but for numbers near a double's limits.
TEST(JsonSurelyValid, AgreesWithTheParserOnRandomEdits) {
    std::mt19937 rng(20261126);
    const std::string alphabet =
        "{}[]\":,\\ \t\n0123456789-+.eEtrufalsn/bu\x01\x7F\x80\xBF\xC3\xE2"
        "\xED\xF0\xF4\xFF";
    std::size_t accepted = 0;
    std::size_t rejected = 0;
    for (int round = 0; round < 40000; ++round) {
        const auto& seed = valid_documents()[rng() % valid_documents().size()];
        std::string text = seed;
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int e = 0; e < edits && !text.empty(); ++e) {
            const std::size_t at = rng() % text.size();
            const char c = alphabet[rng() % alphabet.size()];
            switch (rng() % 3) {
                case 0:
                    text[at] = c;
                    break;
                case 1:
                    text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
                    break;
                default:
                    text.erase(at, 1);
                    break;
            }
        }
        const bool parser = parser_accepts(text);
        const bool checker = json_surely_valid(text);
        if (checker) {
            ASSERT_TRUE(parser) << "accepted what the parser rejects: " << text;
        }
        if (parser && !checker) {
            static const std::regex extreme_number("[0-9][eE][-+]?[0-9]{3,}");
            EXPECT_TRUE(std::regex_search(text, extreme_number))
                << "rejected what the parser accepts: " << text;
        }
        (parser ? accepted : rejected) += 1;
    }
    // Both outcomes are exercised.
    EXPECT_GT(accepted, 1000u);
    EXPECT_GT(rejected, 1000u);
}

}  // namespace
}  // namespace hadrian::core
