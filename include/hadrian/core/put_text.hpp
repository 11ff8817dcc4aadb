/// Text written at a cursor into room sized beforehand (a head, a log line): one copy per
/// piece, no growth checks.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace hadrian::core {

/// Copies `piece` to `at` and moves `at` past it. Pieces of up to 16 bytes (names, numbers,
/// separators: most of a head) are copied inline, as two overlapping words, without a call.
inline void put_text(char*& at, std::string_view piece) noexcept {
    const std::size_t n = piece.size();
    const char* const from = piece.data();
    if (n >= 8 && n <= 16) {
        std::uint64_t head = 0;
        std::uint64_t tail = 0;
        std::memcpy(&head, from, 8);
        std::memcpy(&tail, from + n - 8, 8);
        std::memcpy(at, &head, 8);
        std::memcpy(at + n - 8, &tail, 8);
    } else if (n >= 4 && n < 8) {
        std::uint32_t head = 0;
        std::uint32_t tail = 0;
        std::memcpy(&head, from, 4);
        std::memcpy(&tail, from + n - 4, 4);
        std::memcpy(at, &head, 4);
        std::memcpy(at + n - 4, &tail, 4);
    } else if (n > 0 && n < 4) {  // an empty view may have no data at all
        at[0] = from[0];
        at[n / 2] = from[n / 2];
        at[n - 1] = from[n - 1];
    } else if (n > 16) {
        std::memcpy(at, from, n);
    }
    at += n;
}

}  // namespace hadrian::core
