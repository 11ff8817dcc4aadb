/// A hash map keyed by strings that is searched with string views: looking a key up builds
/// no string (C++20 heterogeneous lookup).
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hadrian::core {

/// A string hash that reads eight bytes at a step and mixes each with one 64×64→128-bit
/// multiplication. The limiters' keys (`rl:key:<uuid>`, 43 bytes) take six steps, where
/// std::hash reads and mixes the same bytes in about four times the instructions. The keys
/// it serves are the gateway's own (key ids, client addresses), or client text in a map of
/// bounded size (routing::route_memo), where colliding keys cost at most that many compares.
struct string_hash {
    using is_transparent = void;

    static std::uint64_t mix(std::uint64_t a, std::uint64_t b) noexcept {
        const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
        return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
    }

    static std::uint64_t load8(const char* p) noexcept {
        std::uint64_t v;
        std::memcpy(&v, p, sizeof v);
        return v;
    }

    static std::uint64_t load4(const char* p) noexcept {
        std::uint32_t v;
        std::memcpy(&v, p, sizeof v);
        return v;
    }

    std::size_t operator()(std::string_view s) const noexcept {
        constexpr std::uint64_t k0 = 0xa0761d6478bd642fULL;
        constexpr std::uint64_t k1 = 0xe7037ed1a0b428dbULL;
        const char* p = s.data();
        std::size_t n = s.size();
        std::uint64_t h = mix(n ^ k0, k1);
        for (; n > 8; n -= 8, p += 8) {
            h = mix(h ^ load8(p), k1);
        }
        // The last one to eight bytes, read as two overlapping words (or bytes for fewer
        // than four): no read past the end and no loop.
        std::uint64_t last = 0;
        if (n >= 4) {
            last = (load4(p) << 32) | load4(p + n - 4);
        } else if (n > 0) {
            const auto byte = [p](std::size_t i) {
                return static_cast<std::uint64_t>(static_cast<unsigned char>(p[i]));
            };
            last = (byte(0) << 16) | (byte(n >> 1) << 8) | byte(n - 1);
        }
        return static_cast<std::size_t>(mix(h ^ last ^ k0, k1 ^ s.size()));
    }
};

template <class V>
using string_map = std::unordered_map<std::string, V, string_hash, std::equal_to<>>;

}  // namespace hadrian::core
