// The admin API under /admin/v1 (API.md §1): API keys and usage reports.
#pragma once

#include <string>
#include <string_view>

#include "hadrian/api/context.hpp"
#include "hadrian/storage/db_executor.hpp"
#include "key_cache.hpp"

namespace hadrian::api {

/// Serves every path under `/admin/v1`:
///   POST   /api-keys              create a key (201, the raw key once)
///   GET    /api-keys              list, newest first (`limit`, `cursor`)
///   GET    /api-keys/{id}         one key
///   DELETE /api-keys/{id}         revoke (idempotent)
///   POST   /api-keys/{id}/rotate  new key with the same settings; the old one expires after
///                                 `grace_period_seconds`
///   GET    /usage[/by-model|/by-date|/by-api-key]   usage totals (`from`, `to`, `api_key_id`)
/// Unknown paths answer 404, a wrong method 405, and every route 501 without a database.
/// The auth middleware grants admin rights before this runs; a request without them gets 403.
///
/// Thread safety: immutable after construction; `handle` may run on many strands at once
/// (the key cache is thread safe, store calls go through the database thread).
/// Lifetime: `db` (may be null) and `cache` must outlive the handler.
class admin_handler {
public:
    admin_handler(storage::db_executor* db, key_cache& cache) : db_(db), cache_(cache) {}

    /// Answers one admin request; `ctx.req.target()` starts with `/admin/v1`.
    awaitable<void> handle(request_context& ctx) const;

private:
    awaitable<void> create_key(request_context& ctx) const;
    awaitable<void> list_keys(request_context& ctx) const;
    awaitable<void> get_key(request_context& ctx, std::string id) const;
    awaitable<void> revoke_key(request_context& ctx, std::string id) const;
    awaitable<void> rotate_key(request_context& ctx, std::string id) const;
    /// `group` is "", "by-model", "by-date" or "by-api-key".
    awaitable<void> usage(request_context& ctx, std::string group) const;

    storage::db_executor* db_;
    key_cache& cache_;
};

}  // namespace hadrian::api
