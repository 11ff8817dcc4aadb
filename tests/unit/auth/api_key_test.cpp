#include "hadrian/auth/api_key.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace hadrian::auth {
namespace {

constexpr std::string_view fixed_key = "gw_live_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";

bool base64url_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

TEST(generate_api_key, has_the_documented_shape) {
    for (int i = 0; i < 200; ++i) {
        const std::string key = generate_api_key();
        ASSERT_EQ(key.size(), 51u) << key;
        ASSERT_EQ(key.size(), api_key_length);
        ASSERT_TRUE(key.starts_with("gw_live_")) << key;
        for (char c : key.substr(8)) {
            ASSERT_TRUE(base64url_char(c)) << key;
        }
        ASSERT_TRUE(valid_api_key_format(key)) << key;
    }
}

TEST(generate_api_key, thousand_keys_are_distinct) {
    std::unordered_set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        seen.insert(generate_api_key());
    }
    EXPECT_EQ(seen.size(), 1000u);
}

TEST(generate_api_key, last_character_carries_only_four_bits) {
    // 32 bytes = 256 bits; the 43rd character holds the last 4 bits followed by two zero
    // bits, so it is always one of the 16 characters whose index is a multiple of 4.
    const std::string_view allowed = "AEIMQUYcgkosw048";
    for (int i = 0; i < 200; ++i) {
        const std::string key = generate_api_key();
        EXPECT_NE(allowed.find(key.back()), std::string_view::npos) << key;
    }
}

TEST(valid_api_key_format, table) {
    struct row {
        std::string text;
        bool valid;
    };
    const std::string a43(43, 'a');
    const std::string good = "gw_live_" + a43;
    const row rows[] = {
        {std::string(fixed_key), true},
        {good, true},
        {"gw_live_" + std::string(43, '-'), true},
        {"gw_live_" + std::string(43, '_'), true},
        {"gw_live_" + std::string(42, 'a'), false},
        {"gw_live_" + std::string(44, 'a'), false},
        {"gw_live_" + std::string(42, 'a') + "=", false},
        {"gw_live_" + std::string(42, 'a') + "+", false},
        {"gw_live_" + std::string(42, 'a') + "/", false},
        {"gw_live_" + std::string(42, 'a') + " ", false},
        {"gw_live_" + std::string(42, 'a') + "\xC3", false},
        {"gw_test_" + a43, false},
        {"GW_LIVE_" + a43, false},
        {"xgw_live_" + std::string(42, 'a'), false},
        {"", false},
        {"gw_live_", false},
        {" " + good.substr(1), false},
    };
    for (const row& r : rows) {
        EXPECT_EQ(valid_api_key_format(r.text), r.valid) << '"' << r.text << '"';
    }
    const std::string with_nul = "gw_live_" + std::string(42, 'a') + std::string(1, '\0');
    EXPECT_FALSE(valid_api_key_format(with_nul));
}

TEST(hash_api_key, matches_known_sha256_vectors) {
    EXPECT_EQ(hash_api_key("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hash_api_key(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(hash_api_key(fixed_key),
              "980c0034745345de93fe1f236a26f937a4b26cbbfe55bc209e4c28b4587b7e23");
    EXPECT_EQ(hash_api_key("gw_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
              "ec79a8961331af28b81422a7ebc02da7d0886db6c0fd1fd663f5ba98ba8ff252");
}

TEST(hash_api_key, is_64_lowercase_hex_and_deterministic) {
    const std::string key = generate_api_key();
    const std::string h = hash_api_key(key);
    ASSERT_EQ(h.size(), 64u);
    for (char c : h) {
        EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << h;
    }
    EXPECT_EQ(hash_api_key(key), h);
    EXPECT_NE(hash_api_key(generate_api_key()), h);
}

TEST(key_prefix, first_twelve_characters) {
    EXPECT_EQ(key_prefix(fixed_key), "gw_live_0123");
    EXPECT_EQ(key_prefix("gw_live_abcd"), "gw_live_abcd");
    EXPECT_EQ(key_prefix("short"), "short");
    EXPECT_EQ(key_prefix(""), "");
    EXPECT_EQ(key_prefix(generate_api_key()).size(), api_key_prefix_length);
}

TEST(constant_time_equal, ADifferenceAnywhereIsFoundWhateverTheLength) {
    // Lengths around the eight-byte steps, one byte changed at each place in turn.
    for (std::size_t n = 1; n <= 40; ++n) {
        std::string a(n, 'k');
        for (std::size_t i = 0; i < n; ++i) {
            a[i] = static_cast<char>('a' + i % 26);
        }
        EXPECT_TRUE(constant_time_equal(a, std::string(a))) << n;
        for (std::size_t at = 0; at < n; ++at) {
            std::string b = a;
            b[at] = static_cast<char>(b[at] ^ 0x80);
            EXPECT_FALSE(constant_time_equal(a, b)) << n << " at " << at;
        }
    }
}

TEST(constant_time_equal, table) {
    EXPECT_TRUE(constant_time_equal("", ""));
    EXPECT_TRUE(constant_time_equal("a", "a"));
    EXPECT_TRUE(constant_time_equal(fixed_key, std::string(fixed_key)));
    EXPECT_FALSE(constant_time_equal("a", "b"));
    EXPECT_FALSE(constant_time_equal("", "a"));
    EXPECT_FALSE(constant_time_equal("a", ""));
    EXPECT_FALSE(constant_time_equal("abc", "abcd"));
    EXPECT_FALSE(constant_time_equal("abcd", "abc"));
    EXPECT_FALSE(constant_time_equal("xbcd", "abcd"));
    EXPECT_FALSE(constant_time_equal("abcx", "abcd"));
    EXPECT_FALSE(constant_time_equal("Abcd", "abcd"));
    const std::string a = std::string("ab\0cd", 5);
    const std::string b = std::string("ab\0ce", 5);
    EXPECT_TRUE(constant_time_equal(a, a));
    EXPECT_FALSE(constant_time_equal(a, b));
    EXPECT_FALSE(constant_time_equal(a, "ab"));
    const std::string h = hash_api_key(fixed_key);
    EXPECT_TRUE(constant_time_equal(h, hash_api_key(fixed_key)));
    EXPECT_FALSE(constant_time_equal(h, hash_api_key("gw_live_other")));
}

TEST(extract_api_key, table) {
    struct row {
        std::string_view name;
        std::string_view x_api_key;
        std::string_view authorization;
        std::optional<std::string_view> want;
    };
    const row rows[] = {
        {"neither", "", "", std::nullopt},
        {"x-api-key only", "k1", "", "k1"},
        {"bearer only", "", "Bearer k2", "k2"},
        {"x-api-key wins", "k1", "Bearer k2", "k1"},
        {"x-api-key trimmed", " \tk1 \t", "", "k1"},
        {"blank x-api-key falls back", "  \t ", "Bearer k2", "k2"},
        {"scheme lower case", "", "bearer k2", "k2"},
        {"scheme upper case", "", "BEARER k2", "k2"},
        {"scheme mixed case", "", "bEaReR k2", "k2"},
        {"extra spaces", "", "  Bearer    k2  ", "k2"},
        {"tab separator", "", "Bearer\tk2", "k2"},
        {"empty bearer", "", "Bearer", std::nullopt},
        {"blank bearer", "", "Bearer    ", std::nullopt},
        {"basic ignored", "", "Basic dXNlcjpwYXNz", std::nullopt},
        {"basic ignored, x-api-key used", "k1", "Basic dXNlcjpwYXNz", "k1"},
        {"scheme glued to token", "", "Bearerk2", std::nullopt},
        {"scheme prefix only", "", "Bear k2", std::nullopt},
        {"token only", "", "k2", std::nullopt},
        {"token keeps inner text", "", "Bearer a b", "a b"},
        {"real key", "", "Bearer gw_live_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG", fixed_key},
    };
    for (const row& r : rows) {
        EXPECT_EQ(extract_api_key(r.x_api_key, r.authorization), r.want) << r.name;
    }
}

}  // namespace
}  // namespace hadrian::auth
