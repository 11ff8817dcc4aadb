/// Plain data the storage module reads and writes: API keys, usage records, the answers of
/// usage queries and stored Responses. Values only; copy and move freely, share read-only
/// between threads.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hadrian::storage {

/// An API key as stored (API.md §1, §5). The raw key never reaches storage: only its SHA-256
/// (lower-case hex, computed by the caller) and its display prefix. Times are unix seconds.
struct api_key_record {
    /// `key_` + 26 lower-case Crockford base32 characters (130 random bits), see new_key_id().
    std::string id;
    std::string name;                         // free text, not unique
    std::string key_hash;                     // SHA-256 of the raw key, hex; unique
    std::string key_prefix;                   // the first characters of the raw key, for display
    std::vector<std::string> scopes;          // chat, completions, embeddings, models, admin
    std::vector<std::string> allowed_models;  // exact names or a trailing `*`; empty: all
    std::vector<std::string> ip_allowlist;    // CIDRs; empty: any address
    std::optional<std::int64_t> expires_at;
    std::optional<std::uint32_t> rate_limit_rpm;
    std::optional<std::uint32_t> rate_limit_rpd;
    std::optional<std::uint64_t> rate_limit_tpm;
    std::optional<std::uint64_t> rate_limit_tpd;
    std::optional<std::uint32_t> concurrent_requests;
    std::optional<std::int64_t> budget_limit_cents;
    std::optional<std::string> budget_period;  // "daily" | "monthly" (validated by the caller)
    std::int64_t created_at = 0;
    std::optional<std::int64_t> revoked_at;
    std::optional<std::int64_t> last_used_at;
    std::optional<std::string> rotated_to;  // id of the key that replaced this one

    bool operator==(const api_key_record&) const = default;
};

/// A fresh key id: `key_` + 26 lower-case Crockford base32 characters from the system's
/// random device. Ids are identifiers, not secrets. Thread safe.
std::string new_key_id();

/// The key as the admin API shows it, with API.md's field names: id, name, key_prefix, scopes,
/// allowed_models, ip_allowlist, expires_at, rate_limit_rpm, rate_limit_rpd, rate_limit_tpm,
/// rate_limit_tpd, concurrent_requests, budget_limit_cents, budget_period, created_at,
/// revoked_at, last_used_at (absent values are null). Never key_hash; the raw `key` is the
/// caller's to add to create and rotate answers.
nlohmann::json to_json(const api_key_record& key);

/// One page of `store::list_keys`, newest key first.
struct key_page {
    std::vector<api_key_record> rows;
    bool has_more = false;
    std::optional<std::string> next_cursor;  // set exactly when has_more
};

/// A `last_used_at` update for `store::touch_last_used_many`.
struct key_touch {
    std::string id;
    std::int64_t at = 0;  // unix seconds
};

/// What one request cost (API.md §5). Written in batches off the request path.
struct usage_record {
    std::string request_id;                 // not unique: clients may reuse their own ids
    std::optional<std::string> api_key_id;  // absent for unauthenticated or bootstrap traffic
    std::string model;
    std::string provider;
    std::int64_t input_tokens = 0;  // includes cached input, as OpenAI counts it
    std::int64_t output_tokens = 0;
    std::int64_t cached_tokens = 0;
    std::int64_t reasoning_tokens = 0;
    std::int64_t cost_microcents = 0;  // 1e-6 USD
    double latency_ms = 0;
    int status = 0;          // HTTP status sent to the client
    std::string error_code;  // API.md §4 code; empty on success
    bool streamed = false;
    bool cancelled = false;
    std::int64_t created_at = 0;  // unix milliseconds

    bool operator==(const usage_record&) const = default;
};

/// Which usage rows a query covers: `from_ms <= created_at < to_ms`, optionally one key only.
struct usage_filter {
    std::int64_t from_ms = 0;
    std::int64_t to_ms = std::numeric_limits<std::int64_t>::max();
    std::optional<std::string> api_key_id;
};

/// Sums over a set of usage rows. `errors` counts rows with status >= 400.
struct usage_totals {
    std::int64_t requests = 0;
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
    std::int64_t cost_microcents = 0;
    std::int64_t errors = 0;

    bool operator==(const usage_totals&) const = default;
};

/// One group of a grouped usage query. `key` is the model, the UTC date (`YYYY-MM-DD`) or the
/// API key id (empty for rows without a key), depending on the query.
struct usage_group {
    std::string key;
    usage_totals totals;

    bool operator==(const usage_group&) const = default;
};

/// A Responses answer kept for `GET /responses/{id}` and `previous_response_id` (API.md §1).
/// The JSON columns are stored as text, verbatim; the caller builds and parses them.
struct stored_response {
    std::string id;                         // the response object's id
    std::optional<std::string> api_key_id;  // owner; absent when auth is off
    std::string model;                      // `provider/model` that served it
    std::string provider;
    std::int64_t created_at = 0;  // unix seconds
    std::optional<std::string> previous_response_id;
    std::string context;   // JSON array: input items of the turn, history included
    std::string response;  // JSON object: the response as returned to the client

    bool operator==(const stored_response&) const = default;
};

}  // namespace hadrian::storage
