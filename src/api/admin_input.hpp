// Parsing and validation of what the admin API and the `hadrian keys` command receive: key
// settings, the rotation body, list and usage query strings, and RFC 3339 times. Pure
// functions of their arguments (the current time is passed in); thread safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "hadrian/core/asio.hpp"
#include "hadrian/core/error.hpp"
#include "hadrian/storage/records.hpp"

namespace hadrian::api {

/// A value or the client-facing error (400 with `param` naming the culprit).
template <class T>
using input_result = result<T, core::api_error>;

// --- limits of the input -------------------------------------------------------------------

inline constexpr std::size_t max_key_name_chars = 128;
inline constexpr std::int64_t max_rate_limit = 1'000'000'000;
/// Upper bound of budget_limit_cents (1e13 cents = 100 billion USD), so that spend arithmetic
/// in microcents cannot overflow.
inline constexpr std::int64_t max_budget_cents = 10'000'000'000'000;
inline constexpr std::size_t max_list_entries = 1000;  // allowed_models, ip_allowlist
inline constexpr std::int64_t default_grace_seconds = 86'400;
inline constexpr std::int64_t max_grace_seconds = 604'800;
inline constexpr std::uint32_t default_page_limit = 100;
inline constexpr std::uint32_t max_page_limit = 1000;
inline constexpr std::int64_t default_usage_days = 30;

// --- times ---------------------------------------------------------------------------------

/// Unix seconds of an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (`T`/`Z`
/// case-insensitive, fractions truncated, years 0001..9999). nullopt for anything else,
/// including impossible dates such as February 30.
std::optional<std::int64_t> parse_rfc3339(std::string_view text) noexcept;

/// Unix seconds of midnight UTC of a `YYYY-MM-DD` date; nullopt when malformed or impossible.
std::optional<std::int64_t> parse_date(std::string_view text) noexcept;

/// `YYYY-MM-DDTHH:MM:SSZ` of unix seconds (UTC).
std::string format_rfc3339(std::int64_t unix_seconds);

/// The current time in unix seconds.
std::int64_t unix_now() noexcept;

// --- keys ----------------------------------------------------------------------------------

/// A key as the admin API shows it: `storage::to_json` with expires_at, created_at,
/// revoked_at and last_used_at as RFC 3339 strings (or null).
nlohmann::json key_json(const storage::api_key_record& key);

/// Validates the body of `POST /admin/v1/api-keys` (a parsed JSON value) and returns the
/// settings as a record: name, scopes (default chat, completions, embeddings, models),
/// allowed_models, ip_allowlist (canonical CIDR text), expires_at (must be after `now`),
/// rate limits, concurrency, budget. id, key_hash, key_prefix and created_at are left empty
/// for the caller. Unknown fields, wrong types and values out of range give a
/// validation_error whose `param` names the field.
input_result<storage::api_key_record> parse_key_settings(const nlohmann::json& body,
                                                         std::int64_t now);

/// parse_key_settings of a request body text. An empty body counts as `{}`; text that is not
/// JSON is invalid_json.
input_result<storage::api_key_record> parse_key_settings_body(std::string_view body,
                                                              std::int64_t now);

/// `grace_period_seconds` of the optional rotation body (default 86400, 0..604800).
input_result<std::int64_t> parse_rotate_body(std::string_view body);

// --- query strings -------------------------------------------------------------------------

/// `limit` and `cursor` of `GET /admin/v1/api-keys`. `target` is the request target; only
/// its query string is read. Other parameters are ignored.
struct list_query {
    std::uint32_t limit = default_page_limit;
    std::string cursor;  // empty: first page
};
input_result<list_query> parse_list_query(std::string_view target);

/// `from`, `to` (RFC 3339 or `YYYY-MM-DD`) and `api_key_id` of the usage endpoints. Default
/// range: the 30 days up to `now`. A date as `to` includes that whole day. `to` must be after
/// `from`. The range is reported back in seconds.
struct usage_query {
    storage::usage_filter filter;
    std::int64_t from = 0;  // unix seconds, inclusive
    std::int64_t to = 0;    // unix seconds, exclusive
};
input_result<usage_query> parse_usage_query(std::string_view target, std::int64_t now);

/// The value of query parameter `name` in `target`, percent-decoded (`+` is a space).
/// nullopt when absent; an error (param = name) when malformed or given twice.
input_result<std::optional<std::string>> query_param(std::string_view target,
                                                     std::string_view name);

}  // namespace hadrian::api
