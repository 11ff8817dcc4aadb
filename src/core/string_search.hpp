/// The byte searches that JSON string scanning spends its time in, 32 bytes at a time on CPUs
/// with AVX2 (chosen once, at run time), 16 with SSE2, one at a time elsewhere. Long strings
/// (a base64 image, a long prompt) are most of a large request's bytes.
#pragma once

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace hadrian::core {

/// The first `"` or `\` in [p, end), or `end`.
const char* find_quote_or_backslash(const char* p, const char* end) noexcept;

/// The first byte in [p, end) that is `"`, `\`, a control character or from 0x80 (the end of
/// a string's plain ASCII run), or `end`.
const unsigned char* find_string_stop(const unsigned char* p, const unsigned char* end) noexcept;

/// As find_quote_or_backslash, with the first 16 bytes looked at inline: most strings (keys,
/// roles, short values) end there, and the call would cost more than the search.
inline const char* find_quote_or_backslash_inline(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
    if (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                         _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
        if (const int mask = _mm_movemask_epi8(hit); mask != 0) {
            return p + __builtin_ctz(static_cast<unsigned>(mask));
        }
        p += 16;
    }
#endif
    return find_quote_or_backslash(p, end);
}

/// As find_string_stop, with the first 16 bytes looked at inline.
inline const unsigned char* find_string_stop_inline(const unsigned char* p,
                                                    const unsigned char* end) noexcept {
#if defined(__SSE2__)
    if (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        // Signed: bytes from 0x80 compare below ' ' as well as the control characters.
        const __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                       _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                                          _mm_cmplt_epi8(v, _mm_set1_epi8(' ')));
        if (const int mask = _mm_movemask_epi8(stop); mask != 0) {
            return p + __builtin_ctz(static_cast<unsigned>(mask));
        }
        p += 16;
    }
#endif
    return find_string_stop(p, end);
}

}  // namespace hadrian::core
