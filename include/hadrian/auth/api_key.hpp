/// API keys (API.md §5): generation, format check, storage hash, display prefix, constant-time
/// comparison and extraction from request headers. Pure functions; thread safe.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hadrian::auth {

/// Every key starts with this marker.
inline constexpr std::string_view api_key_marker = "gw_live_";
/// Characters after the marker: base64url of 32 random bytes, without padding.
inline constexpr std::size_t api_key_random_chars = 43;
/// Total length of a well-formed key (51).
inline constexpr std::size_t api_key_length = api_key_marker.size() + api_key_random_chars;
/// Length of the display prefix returned by `key_prefix` ("gw_live_abcd").
inline constexpr std::size_t api_key_prefix_length = 12;

/// A new key: `gw_live_` + base64url (no padding) of 32 bytes from OpenSSL `RAND_bytes`.
/// Throws std::runtime_error only when the CSPRNG fails, which is an environment failure
/// (no entropy), never something a client can cause; callers treat it as fatal.
std::string generate_api_key();

/// True when `raw` is exactly `gw_live_` followed by 43 characters of [A-Za-z0-9_-].
/// Checking the format first lets malformed keys be rejected without a hash or a lookup.
bool valid_api_key_format(std::string_view raw) noexcept;

/// Length of a key's hash: SHA-256 in lowercase hex.
inline constexpr std::size_t key_hash_length = 64;

/// SHA-256 of `raw` as 64 lowercase hex characters: the only form of a key that is stored.
/// Throws std::runtime_error only if OpenSSL itself fails (allocation failure).
std::string hash_api_key(std::string_view raw);
/// The same, written into `out`.
void hash_api_key(std::string_view raw, std::span<char, key_hash_length> out);

/// The first 12 characters of `raw` (the whole of it when shorter), safe to show and log.
std::string key_prefix(std::string_view raw);

/// Equality whose running time does not depend on where the contents differ.
/// Lengths are not secret: different lengths give false without comparing any content.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

/// The key a request carries: the `X-API-Key` header value (trimmed) when non-empty, else
/// the token of `Authorization: Bearer <token>` (scheme case-insensitive, spaces and tabs
/// trimmed). Any other scheme, or an empty token, gives nullopt. The result views into
/// one of the arguments; the format is not checked here.
std::optional<std::string_view> extract_api_key(std::string_view x_api_key_header,
                                                std::string_view authorization_header) noexcept;

}  // namespace hadrian::auth
