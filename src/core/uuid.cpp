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

}  // namespace

std::string new_uuid() {
    std::mt19937_64& rng = generator();
    const std::uint64_t a = rng();
    const std::uint64_t b = rng();
    unsigned char bytes[16];
    for (int i = 0; i < 8; ++i) {
        bytes[i] = static_cast<unsigned char>(a >> (i * 8));
        bytes[8 + i] = static_cast<unsigned char>(b >> (i * 8));
    }
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
    static constexpr char hex[] = "0123456789abcdef";
    // Written in place: 8-4-4-4-12 hex digits.
    std::string out(36, '-');
    char* p = out.data();
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            ++p;  // over a '-'
        }
        *p++ = hex[bytes[i] >> 4];
        *p++ = hex[bytes[i] & 0x0f];
    }
    return out;
}

}  // namespace hadrian::core
