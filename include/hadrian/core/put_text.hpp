/// Text written at a cursor into room sized beforehand (a head, a log line): one copy per
/// piece, no growth checks.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace hadrian::core {

/// Copies `n` bytes, sizeof(Word) <= n <= 2 * sizeof(Word), as two overlapping words.
template <class Word>
void copy_overlapping(char* at, const char* from, std::size_t n) noexcept {
    Word head = 0;
    Word tail = 0;
    std::memcpy(&head, from, sizeof(Word));
    std::memcpy(&tail, from + n - sizeof(Word), sizeof(Word));
    std::memcpy(at, &head, sizeof(Word));
    std::memcpy(at + n - sizeof(Word), &tail, sizeof(Word));
}

/// Copies `piece` to `at` and moves `at` past it. Pieces of up to 16 bytes (names, numbers,
/// separators: most of a head) are copied inline, without a call.
inline void put_text(char*& at, std::string_view piece) noexcept {
    const std::size_t n = piece.size();
    const char* const from = piece.data();
    if (n >= 8 && n <= 16) {
        copy_overlapping<std::uint64_t>(at, from, n);
    } else if (n >= 4 && n < 8) {
        copy_overlapping<std::uint32_t>(at, from, n);
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
