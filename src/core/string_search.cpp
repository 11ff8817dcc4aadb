#include "string_search.hpp"

#include <cstring>

#include "hadrian/core/find_text.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace hadrian::core {

namespace {

bool quote_or_backslash(unsigned char c) { return c == '"' || c == '\\'; }

bool string_stop(unsigned char c) { return c < 0x20 || c >= 0x80 || quote_or_backslash(c); }

#if defined(__SSE2__)

const char* quote_or_backslash_16(const char* p, const char* end) {
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash));
        if (const int mask = _mm_movemask_epi8(hit); mask != 0) {
            return p + __builtin_ctz(static_cast<unsigned>(mask));
        }
        p += 16;
    }
    return p;
}

const unsigned char* string_stop_16(const unsigned char* p, const unsigned char* end) {
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(' ');
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        // Signed: bytes from 0x80 compare below ' ' as well as the control characters.
        const __m128i stop =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                         _mm_cmplt_epi8(v, space));
        if (const int mask = _mm_movemask_epi8(stop); mask != 0) {
            return p + __builtin_ctz(static_cast<unsigned>(mask));
        }
        p += 16;
    }
    return p;
}

#endif

#if defined(__x86_64__)

__attribute__((target("avx2"))) const char* quote_or_backslash_32(const char* p, const char* end) {
    const __m256i quote = _mm256_set1_epi8('"');
    const __m256i backslash = _mm256_set1_epi8('\\');
    while (end - p >= 32) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
        const __m256i hit =
            _mm256_or_si256(_mm256_cmpeq_epi8(v, quote), _mm256_cmpeq_epi8(v, backslash));
        if (const int mask = _mm256_movemask_epi8(hit); mask != 0) {
            return p + __builtin_ctz(static_cast<unsigned>(mask));
        }
        p += 32;
    }
    return p;
}

__attribute__((target("avx2"))) const unsigned char* string_stop_32(const unsigned char* p,
                                                                    const unsigned char* end) {
    const __m256i quote = _mm256_set1_epi8('"');
    const __m256i backslash = _mm256_set1_epi8('\\');
    const __m256i space = _mm256_set1_epi8(' ');
    while (end - p >= 32) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
        const __m256i stop = _mm256_or_si256(
            _mm256_or_si256(_mm256_cmpeq_epi8(v, quote), _mm256_cmpeq_epi8(v, backslash)),
            _mm256_cmpgt_epi8(space, v));
        if (const int mask = _mm256_movemask_epi8(stop); mask != 0) {
            return p + __builtin_ctz(static_cast<unsigned>(mask));
        }
        p += 32;
    }
    return p;
}

bool has_avx2() noexcept {
    static const bool yes = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") != 0;
    }();
    return yes;
}

#endif

}  // namespace

const char* find_quote_or_backslash(const char* p, const char* end) noexcept {
#if defined(__x86_64__)
    if (has_avx2()) {
        p = quote_or_backslash_32(p, end);
        if (end - p >= 32) {
            return p;  // the loop stops early only at a match
        }
    }
#endif
#if defined(__SSE2__)
    p = quote_or_backslash_16(p, end);
    if (end - p >= 16) {
        return p;
    }
#endif
    while (p < end && !quote_or_backslash(static_cast<unsigned char>(*p))) {
        ++p;
    }
    return p;
}

const unsigned char* find_string_stop(const unsigned char* p, const unsigned char* end) noexcept {
#if defined(__x86_64__)
    if (has_avx2()) {
        p = string_stop_32(p, end);
        if (end - p >= 32) {
            return p;  // the loop stops early only at a match
        }
    }
#endif
#if defined(__SSE2__)
    p = string_stop_16(p, end);
    if (end - p >= 16) {
        return p;
    }
#endif
    while (p < end && !string_stop(*p)) {
        ++p;
    }
    return p;
}

namespace {

/// The first of the possible starts `mask` marks (bit i: `p + i`, where the needle's first
/// and last bytes match) at which all of the needle (of two bytes or more) matches, or null.
const char* first_match(const char* p, unsigned mask, std::string_view needle) noexcept {
    while (mask != 0) {
        const auto i = static_cast<std::size_t>(__builtin_ctz(mask));
        if (std::memcmp(p + i + 1, needle.data() + 1, needle.size() - 2) == 0) {
            return p + i;
        }
        mask &= mask - 1;
    }
    return nullptr;
}

#if defined(__x86_64__)

/// Thirty-two starts at a time from `p`, while the block of last bytes stays before the end
/// (`last_start` is where the last possible match starts). `p` is left where it stopped.
__attribute__((target("avx2"))) const char* find_text_32(const char*& p, const char* last_start,
                                                         std::string_view needle) {
    const __m256i first = _mm256_set1_epi8(needle.front());
    const __m256i last = _mm256_set1_epi8(needle.back());
    while (last_start - p >= 31) {
        const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
        const __m256i b =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + needle.size() - 1));
        const auto mask = static_cast<unsigned>(_mm256_movemask_epi8(
            _mm256_and_si256(_mm256_cmpeq_epi8(a, first), _mm256_cmpeq_epi8(b, last))));
        if (mask != 0) {
            if (const char* found = first_match(p, mask, needle)) {
                return found;
            }
        }
        p += 32;
    }
    return nullptr;
}

#endif

}  // namespace

const char* find_text(const char* p, const char* end, std::string_view needle) noexcept {
    const std::size_t n = needle.size();
    if (n == 0) {
        return p;
    }
    if (static_cast<std::size_t>(end - p) < n) {
        return end;
    }
    if (n == 1) {
        const void* at = std::memchr(p, needle.front(), static_cast<std::size_t>(end - p));
        return at != nullptr ? static_cast<const char*>(at) : end;
    }
    const char* const last_start = end - n;  // where the last possible match starts
#if defined(__x86_64__)
    if (has_avx2()) {
        if (const char* found = find_text_32(p, last_start, needle)) {
            return found;
        }
    }
#endif
#if defined(__SSE2__)
    const __m128i first = _mm_set1_epi8(needle.front());
    const __m128i last = _mm_set1_epi8(needle.back());
    // Sixteen starts at once while the block of last bytes stays inside the text.
    while (last_start - p >= 15) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 1));
        const auto mask = static_cast<unsigned>(
            _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last))));
        if (mask != 0) {
            if (const char* found = first_match(p, mask, needle)) {
                return found;
            }
        }
        p += 16;
    }
#endif
    for (; p <= last_start; ++p) {
        if (*p == needle.front() && std::memcmp(p, needle.data(), n) == 0) {
            return p;
        }
    }
    return end;
}

}  // namespace hadrian::core
