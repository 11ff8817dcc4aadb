// Authentication middleware: API keys (API.md §5) and the bootstrap key on the admin API.
#pragma once

#include <vector>

#include "hadrian/api/middleware.hpp"
#include "hadrian/auth/cidr.hpp"
#include "hadrian/config/config.hpp"
#include "hadrian/limits/rate_limiter.hpp"
#include "hadrian/storage/db_executor.hpp"
#include "key_cache.hpp"
#include "single_flight.hpp"

namespace hadrian::api {

/// What a path needs: nothing (health), a scope, or admin rights.
enum class path_kind { open, chat, embeddings, models, admin };
path_kind classify_path(std::string_view target) noexcept;

/// Thread safety: immutable after construction apart from the thread-safe cache.
class auth_middleware final : public middleware {
public:
    /// `db` may be null only when auth mode is none (then only the admin API needs a key: the
    /// bootstrap one).
    /// `limiter` counts requests that fail authentication against their client address
    /// (`ip_rate_limits`), so guessing keys is rate limited too.
    auth_middleware(const config::config& cfg, storage::db_executor* db, key_cache& cache,
                    limits::rate_limiter& limiter);

    verdict before(request_context& ctx) override;
    /// The checks of a request before() could not decide: the key looked up in the database
    /// (once per key at a time), the failures answered.
    awaitable<verdict> before_async(request_context& ctx) override;

private:
    /// Whether the request is admitted without waiting: an open path, the bootstrap key on the
    /// admin API, or a key in the cache that passes every check (then set in `ctx`). False,
    /// with nothing changed, for everything else: before_async decides.
    bool admitted_at_once(request_context& ctx);
    bool needs_key(path_kind kind) const noexcept;
    bool bootstrap_admin(path_kind kind, std::string_view raw) const noexcept;
    /// Whether `key`, found by `hash`, matches it and is neither revoked nor expired.
    static bool usable(const storage::api_key_record& key, std::string_view hash);
    /// Why `key` may not make this request (its address allowlist, its scopes), if it may not.
    std::optional<core::api_error> refusal(const request_context& ctx,
                                           const storage::api_key_record& key,
                                           path_kind kind) const;
    static void admit(request_context& ctx, std::shared_ptr<const storage::api_key_record> key);
    /// The key whose hash is `hash` (empty for a malformed key), from the cache or the
    /// database.
    awaitable<result<std::shared_ptr<const storage::api_key_record>, core::api_error>> lookup(
        std::string hash);

    /// The answer to an authentication failure: `err`, or a 429 once the address is over its
    /// limit.
    core::api_error rejection(request_context& ctx, core::api_error err);

    const config::config& cfg_;
    storage::db_executor* db_;
    limits::rate_limiter& limiter_;
    key_cache& cache_;
    single_flight flights_;  // one database lookup per key hash at a time
    std::vector<auth::cidr> trusted_proxies_;
};

}  // namespace hadrian::api
