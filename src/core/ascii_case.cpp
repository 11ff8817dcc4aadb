#include "hadrian/core/ascii_case.hpp"

#include <cstdint>
#include <cstring>

namespace hadrian::core {

namespace {

constexpr std::uint64_t ones = 0x0101010101010101ULL;
constexpr std::uint64_t high_bits = 0x8080808080808080ULL;

/// The eight bytes of `w` with their ASCII upper-case letters made lower case. A byte's low
/// seven bits plus a constant set its high bit exactly when the byte is at least 'A' (or
/// above 'Z'); bytes with their own high bit set are left alone.
std::uint64_t fold(std::uint64_t w) noexcept {
    const std::uint64_t low7 = w & ~high_bits;
    const std::uint64_t at_least_a = low7 + (0x80 - 'A') * ones;
    const std::uint64_t above_z = low7 + (0x7f - 'Z') * ones;
    const std::uint64_t upper = (at_least_a ^ above_z) & ~w & high_bits;
    return w | (upper >> 2);  // 0x80 >> 2 is 0x20, the case bit
}

std::uint64_t load(const char* p) noexcept {
    std::uint64_t w = 0;
    std::memcpy(&w, p, sizeof w);
    return w;
}

unsigned char fold_byte(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return static_cast<unsigned char>(u | (static_cast<unsigned>(u - 'A') < 26U ? 0x20U : 0U));
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
    const std::size_t n = a.size();
    if (b.size() != n) {
        return false;
    }
    if (n >= 8) {
        // Whole words, the last one overlapping the one before when n is not a multiple of 8.
        for (std::size_t i = 0; i + 8 < n; i += 8) {
            if (fold(load(a.data() + i)) != fold(load(b.data() + i))) {
                return false;
            }
        }
        return fold(load(a.data() + n - 8)) == fold(load(b.data() + n - 8));
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (fold_byte(a[i]) != fold_byte(b[i])) {
            return false;
        }
    }
    return true;
}

}  // namespace hadrian::core
