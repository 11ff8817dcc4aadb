/// AWS Signature Version 4 for request headers (the `Authorization: AWS4-HMAC-SHA256 …`
/// form). Pure: no clock, no I/O; every function is safe to call from any thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hadrian::providers::sigv4 {

struct credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;  // empty: long-term keys
};

using header_list = std::vector<std::pair<std::string, std::string>>;

/// What a signature covers. `path` is the request path exactly as it goes on the wire (already
/// percent-encoded); the canonical URI encodes each of its segments once more, as AWS does
/// for every service but S3 (so `%3A` on the wire is `%253A` in the canonical request).
/// `query` is the raw query without `?`. Every header in `headers` is signed; `host` must be
/// among them, written exactly as sent (with the port when it is not the scheme's default).
struct request {
    std::string_view method;
    std::string_view path;
    std::string_view query;
    header_list headers;
    std::string_view payload;
};

/// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

/// Raw (32-byte) HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);

/// `20150830T123600Z` for a point in time (UTC).
std::string amz_date(std::chrono::system_clock::time_point t);

/// RFC 3986 percent-encoding: unreserved characters (A-Z a-z 0-9 - . _ ~) stay, every other
/// byte becomes `%XX` (uppercase hex); with `keep_slash`, `/` stays too.
std::string uri_encode(std::string_view text, bool keep_slash);

/// The canonical request (method, canonical URI, canonical query, canonical headers, signed
/// header names, payload hash), `\n`-separated.
std::string canonical_request(const request& req);

/// `host;x-amz-date;…`: the lowercase names of `headers`, sorted, without duplicates.
std::string signed_header_names(const header_list& headers);

/// Sign `req` at `date` (`YYYYMMDDTHHMMSSZ`) for `region` and `service`: adds `X-Amz-Date`
/// and, when the credentials carry a session token, `X-Amz-Security-Token` to
/// `req.headers` (both signed, both to be sent), and returns the `Authorization` value.
std::string sign(request& req, const credentials& creds, std::string_view region,
                 std::string_view service, std::string_view date);

}  // namespace hadrian::providers::sigv4
