/// Google service-account OAuth for Vertex AI: an RS256-signed JWT assertion exchanged at the
/// key's `token_uri` for an access token, cached until shortly before it expires.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "hadrian/core/abort_signal.hpp"
#include "hadrian/core/asio.hpp"
#include "hadrian/core/error.hpp"
#include "hadrian/upstream/client.hpp"

namespace hadrian::providers::google_jwt {

/// base64url without padding (RFC 7515 §2).
std::string base64url(std::string_view bytes);

/// The claims of a token request: iss, scope (cloud-platform), aud, iat, exp (iat + 1 h).
nlohmann::json claims(std::string_view client_email, std::string_view token_uri,
                      std::int64_t now_secs);

/// `header.claims.signature` signed with RS256 (OpenSSL EVP_DigestSign) by the PEM private
/// key; nullopt when the key cannot be read or signing fails.
std::optional<std::string> sign_rs256(std::string_view private_key_pem,
                                      const nlohmann::json& claims);

/// The `application/x-www-form-urlencoded` body of the JWT-bearer grant.
std::string token_request_body(std::string_view assertion);

}  // namespace hadrian::providers::google_jwt

namespace hadrian::providers {

/// Access tokens of one service account.
/// Thread safety: token() may be called from many strands at once; the cache is guarded by a
/// mutex never held across a suspension (two callers may both refresh an expired token; the
/// later one wins, both tokens are valid). Lifetime: owned by its adapter.
class google_auth {
public:
    /// Reads the service account JSON key file (client_email, private_key, token_uri).
    /// Throws std::runtime_error at startup when the file is unreadable or incomplete.
    explicit google_auth(const std::string& key_path);

    /// A valid bearer token, from the cache or a fresh exchange. Failures are 502
    /// provider_error (an upstream HTTP error keeps its status).
    awaitable<result<std::string, core::api_error>> token(upstream::client& client,
                                                          core::abort_signal* abort);

private:
    std::string client_email_;
    std::string private_key_pem_;
    std::string token_uri_;
    upstream::url token_url_;

    std::mutex mutex_;
    std::string cached_;
    std::chrono::steady_clock::time_point refresh_at_;
};

}  // namespace hadrian::providers
