#include "hadrian/core/uuid.hpp"

#include <array>
#include <cstdint>
#include <random>

namespace hadrian::core {

namespace {

/// A per-thread generator seeded with the whole of its state's worth of entropy (a single
/// 32-bit seed would make one id reveal the thread's whole sequence to a search of 2^32).
std::mt19937_64& generator() {
    thread_local std::mt19937_64 rng = [] {
        std::random_device device;
        std::array<std::uint32_t, 16> words{};
        for (auto& w : words) {
            w = device();
        }
        std::seed_seq seed(words.begin(), words.end());
        return std::mt19937_64(seed);
    }();
    return rng;
}

/// Two draws of the thread's generator; out of line, so that its refill (every 156 ids) is
/// not in new_uuid()'s cache lines.
[[gnu::noinline]] std::array<std::uint64_t, 2> draw_two() {
    std::mt19937_64& rng = generator();
    const std::uint64_t a = rng();
    return {a, rng()};
}

}  // namespace

std::string new_uuid() {
    std::array<std::uint64_t, 2> words = draw_two();
    // Bytes in little-endian order of the words: byte 6 holds the version (4), byte 8 the
    // RFC 4122 variant (binary 10).
    words[0] = (words[0] & ~(std::uint64_t{0xf0} << 48)) | (std::uint64_t{0x40} << 48);
    words[1] = (words[1] & ~std::uint64_t{0xc0}) | std::uint64_t{0x80};
    static constexpr char hex[] = "0123456789abcdef";
    // Where each byte's two digits go in 8-4-4-4-12; the dashes are written first.
    static constexpr std::array<unsigned char, 16> at{0,  2,  4,  6,  9,  11, 14, 16,
                                                      19, 21, 24, 26, 28, 30, 32, 34};
    std::string out(36, '-');
    // One byte a step, not unrolled: the id is made once per request, and its code is then
    // a few cache lines instead of a kilobyte.
#pragma GCC unroll 1
    for (std::size_t i = 0; i < at.size(); ++i) {
        const auto byte = static_cast<unsigned char>(words[i / 8] >> (i % 8 * 8));
        out[at[i]] = hex[byte >> 4];
        out[at[i] + 1] = hex[byte & 0x0f];
    }
    return out;
}

}  // namespace hadrian::core
