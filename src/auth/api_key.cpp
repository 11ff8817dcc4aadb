#include "hadrian/auth/api_key.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "hadrian/core/ascii_case.hpp"

namespace hadrian::auth {
namespace {

constexpr std::size_t random_bytes = 32;
constexpr std::string_view base64url_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5).
std::string base64url(const unsigned char* data, std::size_t size) {
    std::string out;
    out.reserve((size * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const unsigned v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        out += base64url_alphabet[(v >> 18) & 63];
        out += base64url_alphabet[(v >> 12) & 63];
        out += base64url_alphabet[(v >> 6) & 63];
        out += base64url_alphabet[v & 63];
    }
    if (size - i == 1) {
        const unsigned v = data[i] << 16;
        out += base64url_alphabet[(v >> 18) & 63];
        out += base64url_alphabet[(v >> 12) & 63];
    } else if (size - i == 2) {
        const unsigned v = (data[i] << 16) | (data[i + 1] << 8);
        out += base64url_alphabet[(v >> 18) & 63];
        out += base64url_alphabet[(v >> 12) & 63];
        out += base64url_alphabet[(v >> 6) & 63];
    }
    return out;
}

bool base64url_char(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

bool ows(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && ows(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && ows(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

}  // namespace

std::string generate_api_key() {
    std::array<unsigned char, random_bytes> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed: no randomness for a new API key");
    }
    std::string key(api_key_marker);
    key += base64url(bytes.data(), bytes.size());
    OPENSSL_cleanse(bytes.data(), bytes.size());
    return key;
}

bool valid_api_key_format(std::string_view raw) noexcept {
    if (raw.size() != api_key_length || !raw.starts_with(api_key_marker)) {
        return false;
    }
    for (char c : raw.substr(api_key_marker.size())) {
        if (!base64url_char(c)) {
            return false;
        }
    }
    return true;
}

// SHA256_Init and friends are deprecated in OpenSSL 3 in favour of EVP; see below why they are
// used.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
void hash_api_key(std::string_view raw, std::span<char, key_hash_length> out) {
    // OpenSSL's own SHA-256 (with the CPU's SHA instructions), not through EVP: this runs on
    // every authenticated request, and EVP's provider and engine checks cost more than the
    // digest of a key (half of the time spent in libcrypto per request, measured).
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    static_assert(2 * SHA256_DIGEST_LENGTH == key_hash_length);
    SHA256_CTX ctx;
    if (SHA256_Init(&ctx) != 1 || SHA256_Update(&ctx, raw.data(), raw.size()) != 1 ||
        SHA256_Final(digest.data(), &ctx) != 1) {
        throw std::runtime_error("SHA-256 digest failed");
    }
    OPENSSL_cleanse(&ctx, sizeof ctx);
    static constexpr std::string_view hex = "0123456789abcdef";
    for (std::size_t i = 0; i < digest.size(); ++i) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
}
#pragma GCC diagnostic pop

std::string hash_api_key(std::string_view raw) {
    std::string out(key_hash_length, '\0');
    hash_api_key(raw, std::span<char, key_hash_length>(out.data(), key_hash_length));
    return out;
}

std::string key_prefix(std::string_view raw) {
    return std::string(raw.substr(0, api_key_prefix_length));
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    // Every byte is compared: the differences are gathered eight bytes at a time, and the
    // empty assembly statement hides the gathered value from the optimiser, which therefore
    // cannot stop early once it is non-zero. (CRYPTO_memcmp does the same a byte at a time:
    // several times the instructions for a key or a hash.)
    const std::size_t n = a.size();
    std::uint64_t diff = 0;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t x = 0;
        std::uint64_t y = 0;
        std::memcpy(&x, a.data() + i, 8);
        std::memcpy(&y, b.data() + i, 8);
        diff |= x ^ y;
        __asm__("" : "+r"(diff));
    }
    for (; i < n; ++i) {
        diff |= static_cast<std::uint64_t>(static_cast<unsigned char>(a[i]) ^
                                           static_cast<unsigned char>(b[i]));
        __asm__("" : "+r"(diff));
    }
    return diff == 0;
}

std::optional<std::string_view> extract_api_key(std::string_view x_api_key_header,
                                                std::string_view authorization_header) noexcept {
    const std::string_view direct = trim(x_api_key_header);
    if (!direct.empty()) {
        return direct;
    }
    const std::string_view auth = trim(authorization_header);
    std::size_t scheme_end = 0;
    while (scheme_end < auth.size() && !ows(auth[scheme_end])) {
        ++scheme_end;
    }
    if (!core::iequals(auth.substr(0, scheme_end), "bearer")) {
        return std::nullopt;
    }
    const std::string_view token = trim(auth.substr(scheme_end));
    if (token.empty()) {
        return std::nullopt;
    }
    return token;
}

}  // namespace hadrian::auth
