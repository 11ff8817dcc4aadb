/// The persistence interface of the gateway: API keys, usage records, budget spend read back
/// from usage, and stored Responses. One implementation per database (SQLite now, PostgreSQL
/// later).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hadrian/config/config.hpp"
#include "hadrian/core/asio.hpp"
#include "hadrian/core/error.hpp"
#include "hadrian/storage/records.hpp"

namespace hadrian::storage {

/// Synchronous, blocking calls: never call them on an I/O thread; go through db_executor.
///
/// Errors (`error_code` of `core::errc`): `not_found` for an unknown key id,
/// `validation_error` for a bad argument (limit out of range, garbage cursor, empty id), and
/// `internal_error` for a database failure (the database's message is logged by the
/// "storage" logger; no key material is ever logged). A duplicate id or key_hash is a
/// database failure too (ids and hashes are random; a clash is not a client's doing).
///
/// Thread safety: none, unless an implementation says otherwise. One thread (the database
/// thread of db_executor) uses a store at a time.
class store {
public:
    virtual ~store() = default;

    /// Cheap round trip to the database (`/health`, `/health/ready`).
    virtual result<void> ping() = 0;

    // --- API keys --------------------------------------------------------------------------

    /// Stores a new key and returns it as stored: an empty `id` is replaced by new_key_id(), a
    /// `created_at` of 0 by the current time. Everything else is stored verbatim.
    virtual result<api_key_record> create_key(api_key_record key) = 0;

    /// The key with this id, revoked and expired ones included.
    virtual result<api_key_record> get_key(std::string_view id) = 0;

    /// The key with this SHA-256 hex, revoked and expired ones included (the caller decides).
    virtual result<api_key_record> find_key_by_hash(std::string_view key_hash) = 0;

    /// Keys newest first (created_at, then id, descending: stable under concurrent inserts).
    /// `limit` in 1..1000; `cursor` empty for the first page, else a `next_cursor` from an
    /// earlier page (opaque; anything else is validation_error).
    virtual result<key_page> list_keys(std::uint32_t limit, std::string_view cursor) = 0;

    /// Sets revoked_at = `at` (unix seconds). True when the key changed, false when it was
    /// already revoked (the first revocation time is kept).
    virtual result<bool> revoke_key(std::string_view id, std::int64_t at) = 0;

    /// Sets or clears (nullopt) expires_at.
    virtual result<void> set_key_expiry(std::string_view id, std::optional<std::int64_t> at) = 0;

    /// Records that `new_id` replaced `id`; not_found when either key is unknown.
    virtual result<void> set_rotated_to(std::string_view id, std::string_view new_id) = 0;

    /// Rotation with a grace period, atomically: creates `replacement` (as create_key), sets
    /// the old key's rotated_to to it and its expires_at to `old_expires_at`, or keeps the old
    /// expiry when that is earlier. Returns the new key as stored; not_found for an unknown
    /// `old_id` (then nothing is written).
    virtual result<api_key_record> rotate_key(std::string_view old_id, api_key_record replacement,
                                              std::int64_t old_expires_at) = 0;

    /// Sets last_used_at = `at` unless it is already later. not_found for an unknown id.
    virtual result<void> touch_last_used(std::string_view id, std::int64_t at) = 0;

    /// touch_last_used for many keys in one transaction (for a caller that coalesces
    /// touches); unknown ids are skipped silently.
    virtual result<void> touch_last_used_many(const std::vector<key_touch>& touches) = 0;

    // --- usage -----------------------------------------------------------------------------

    /// Appends all rows in one transaction: all are stored or none.
    virtual result<void> insert_usage(std::span<const usage_record> rows) = 0;

    /// Totals over the rows the filter selects (zeros when none).
    virtual result<usage_totals> usage_summary(const usage_filter& filter) = 0;

    /// Totals per model, ordered by model.
    virtual result<std::vector<usage_group>> usage_by_model(const usage_filter& filter) = 0;

    /// Totals per UTC calendar day (`YYYY-MM-DD` of created_at), ordered by date.
    virtual result<std::vector<usage_group>> usage_by_date(const usage_filter& filter) = 0;

    /// Totals per API key id, ordered by id; rows without a key form the group "".
    virtual result<std::vector<usage_group>> usage_by_api_key(const usage_filter& filter) = 0;

    // --- spend -----------------------------------------------------------------------------

    /// Sum of cost_microcents of the key's usage with created_at >= `since_ms` (0 when none):
    /// rebuilds a budget's current spend at startup.
    virtual result<std::int64_t> spend_since(std::string_view key_id, std::int64_t since_ms) = 0;

    /// spend_since for every key with usage since `since_ms`: key id → microcents.
    virtual result<std::map<std::string, std::int64_t>> spend_since_all(std::int64_t since_ms) = 0;

    // --- stored responses --------------------------------------------------------------------
    // `owner`: nullopt sees every response (auth off); a key id sees that key's responses only
    // (another key's response is not_found, as if absent).

    /// Stores `r`. A response with the same id and the same owner is replaced (a retried or
    /// replayed id); false, and nothing written, when the id belongs to another owner's
    /// response. validation_error for an empty id.
    virtual result<bool> put_response(const stored_response& r) = 0;

    /// The response with this id, or not_found.
    virtual result<stored_response> get_response(std::string_view id,
                                                 const std::optional<std::string>& owner) = 0;

    /// Deletes the response with this id (nothing else), or not_found.
    virtual result<void> delete_response(std::string_view id,
                                         const std::optional<std::string>& owner) = 0;
};

/// Opens the configured database and brings its schema up to date.
/// - `sqlite`: `path` is a file (its parent directory is created when missing) or `:memory:`.
/// - `none`: returns nullptr; the gateway then runs without keys or usage persistence.
/// - `postgres`: not implemented yet; throws.
/// Throws std::runtime_error at startup when the database cannot be opened or migrated, or
/// holds a schema newer than this build knows.
std::unique_ptr<store> open_store(const config::database_config& config);

}  // namespace hadrian::storage
