#include "hadrian/core/string_map.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>
#include <unordered_set>

#include "hadrian/core/uuid.hpp"

namespace hadrian::core {
namespace {

std::size_t hash_of(std::string_view s) { return string_hash{}(s); }

TEST(StringHash, EqualTextEqualHashWhereverItLies) {
    const std::string a = "rl:key:0f8c2a7e-5d4b-4c1a-9e3f-2b6d8a1c7e90";
    const std::string copy = "xx" + a + "yy";
    EXPECT_EQ(hash_of(a), hash_of(std::string_view(copy).substr(2, a.size())));
    EXPECT_EQ(hash_of(""), hash_of(std::string_view()));
}

TEST(StringHash, EveryByteAndTheLengthCount) {
    const std::string text = "key:0f8c2a7e-5d4b-4c1a-9e3f-2b6d8a1c7e90/ip:203.0.113.77";
    std::unordered_set<std::size_t> seen;
    for (std::size_t n = 0; n <= text.size(); ++n) {
        EXPECT_TRUE(seen.insert(hash_of(std::string_view(text).substr(0, n))).second) << n;
    }
    // One byte changed anywhere, at every length: a different hash.
    for (std::size_t n = 1; n <= text.size(); ++n) {
        const std::string base = text.substr(0, n);
        for (std::size_t i = 0; i < n; ++i) {
            std::string changed = base;
            changed[i] = static_cast<char>(changed[i] ^ 0x01);
            EXPECT_NE(hash_of(base), hash_of(changed)) << "length " << n << ", byte " << i;
        }
    }
    // Zero bytes are text too.
    EXPECT_NE(hash_of(std::string(3, '\0')), hash_of(std::string(4, '\0')));
}

TEST(StringHash, KeysSpreadOverBucketsAndShards) {
    constexpr int keys = 50'000;
    string_map<int> map;
    std::array<int, 16> shards{};
    std::unordered_set<std::size_t> hashes;
    for (int i = 0; i < keys; ++i) {
        // Half random key ids, half addresses that differ in their last bytes only.
        const std::string key = i % 2 == 0 ? "rl:key:" + new_uuid()
                                           : "rl:ip:10.0." + std::to_string(i / 512 % 256) + "." +
                                                 std::to_string(i % 256) + "/" + std::to_string(i);
        const std::size_t h = hash_of(key);
        hashes.insert(h);
        map.emplace(key, i);
        ++shards[(h * 0x9E3779B97F4A7C15ull) >> 60];  // the limiters' shard choice
    }
    EXPECT_EQ(hashes.size(), static_cast<std::size_t>(keys));  // no two keys collide
    std::size_t largest = 0;
    for (std::size_t b = 0; b < map.bucket_count(); ++b) {
        largest = std::max(largest, map.bucket_size(b));
    }
    EXPECT_LE(largest, 12U);  // a uniform spread at load factor ≤ 1 stays below 10
    for (int s = 0; s < 16; ++s) {
        EXPECT_GT(shards[s], keys / 16 * 8 / 10) << s;
        EXPECT_LT(shards[s], keys / 16 * 12 / 10) << s;
    }
}

TEST(StringMap, FoundByAView) {
    string_map<int> map;
    map.emplace("key:a", 1);
    map.emplace("key:b", 2);
    const std::string_view wanted = "key:b";
    const auto it = map.find(wanted);
    ASSERT_NE(it, map.end());
    EXPECT_EQ(it->second, 2);
    EXPECT_EQ(map.find(std::string_view("key:c")), map.end());
}

}  // namespace
}  // namespace hadrian::core
