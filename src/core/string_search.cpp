#include "string_search.hpp"

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

}  // namespace hadrian::core
