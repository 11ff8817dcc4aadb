#include "auth.hpp"

#include <boost/asio/ip/address.hpp>
#include <optional>

#include "hadrian/auth/api_key.hpp"
#include "hadrian/auth/scopes.hpp"
#include "hadrian/core/coarse_clock.hpp"
#include "hadrian/core/log.hpp"
#include "hadrian/limits/headers.hpp"
#include "respond.hpp"

namespace hadrian::api {

namespace {

using core::api_error;
using core::errc;

std::int64_t unix_now() { return core::coarse_unix_ms() / 1000; }

api_error invalid_key() {
    return api_error::make(errc::invalid_api_key, "Invalid API key provided");
}

std::string_view required_scope(path_kind kind) {
    switch (kind) {
        case path_kind::chat:
            return auth::scope::chat;
        case path_kind::embeddings:
            return auth::scope::embeddings;
        case path_kind::models:
            return auth::scope::models;
        case path_kind::admin:
            return auth::scope::admin;
        case path_kind::open:
            return {};
    }
    return {};
}

/// The key the request presents: `X-API-Key`, else `Authorization: Bearer`.
std::optional<std::string_view> presented_key(const request_context& ctx) {
    return auth::extract_api_key(ctx.req["X-API-Key"], ctx.req[http::field::authorization]);
}

bool has_scope(const storage::api_key_record& key, std::string_view scope) {
    return std::find(key.scopes.begin(), key.scopes.end(), scope) != key.scopes.end();
}

}  // namespace

path_kind classify_path(std::string_view target) noexcept {
    const std::string_view path = target.substr(0, target.find('?'));
    if (path.substr(0, 10) == "/admin/v1/" || path == "/admin/v1") {
        return path_kind::admin;
    }
    std::string_view api;
    for (std::string_view prefix : {std::string_view("/api/v1/"), std::string_view("/v1/")}) {
        if (path.substr(0, prefix.size()) == prefix) {
            api = path.substr(prefix.size() - 1);
        }
    }
    if (api == "/chat/completions" || api == "/responses" || api.substr(0, 11) == "/responses/") {
        return path_kind::chat;
    }
    if (api == "/embeddings") {
        return path_kind::embeddings;
    }
    if (api == "/models" || api.substr(0, 8) == "/models/") {
        return path_kind::models;
    }
    // Health, metrics and unknown paths (which answer 404) need no key.
    return path_kind::open;
}

auth_middleware::auth_middleware(const config::config& cfg, storage::db_executor* db,
                                 key_cache& cache, limits::rate_limiter& limiter)
    : cfg_(cfg), db_(db), limiter_(limiter), cache_(cache) {
    auto proxies = auth::parse_cidrs(cfg.server.trusted_proxies);
    if (proxies) {
        trusted_proxies_ = std::move(*proxies);
    }
}

awaitable<result<std::shared_ptr<const storage::api_key_record>, core::api_error>>
auth_middleware::lookup(std::string hash) {
    if (hash.empty()) {
        co_return invalid_key();  // not a well-formed key
    }
    const auto now = key_cache::clock::now();
    auto key = cache_.get(hash, now);
    if (!key && db_ != nullptr) {
        // One database lookup per key at a time: when its cache entry expires under load,
        // the other requests wait for that lookup rather than each queueing its own.
        while (!co_await flights_.join(hash)) {
            if ((key = cache_.get(hash, key_cache::clock::now()))) {
                break;
            }
        }
    }
    std::optional<flight_guard> leading;
    if (!key && db_ != nullptr) {
        leading.emplace(flights_, hash);
    }
    if (!key) {
        if (db_ == nullptr) {
            co_return invalid_key();
        }
        auto query = [hash](storage::store& s) { return s.find_key_by_hash(hash); };
        auto found = co_await db_->run(std::move(query));
        if (!found) {
            if (found.error() == errc::not_found) {
                co_return invalid_key();
            }
            co_return api_error::make(errc::internal_error, "Key lookup failed");
        }
        key = std::make_shared<const storage::api_key_record>(std::move(*found));
        cache_.put(hash, key, now);
    }
    if (!usable(*key, hash)) {
        co_return invalid_key();
    }
    co_return key;
}

bool auth_middleware::usable(const storage::api_key_record& key, std::string_view hash) {
    // The index found the row by hash; compare the stored hash in constant time as well.
    if (!auth::constant_time_equal(key.key_hash, hash)) {
        return false;
    }
    const auto t = unix_now();
    return !(key.revoked_at && *key.revoked_at <= t) && !(key.expires_at && *key.expires_at <= t);
}

std::optional<api_error> auth_middleware::refusal(const request_context& ctx,
                                                  const storage::api_key_record& key,
                                                  path_kind kind) const {
    if (!key.ip_allowlist.empty()) {
        error_code ec;
        const auto peer = asio::ip::make_address(ctx.client_ip, ec);
        auto allow = auth::parse_cidrs(key.ip_allowlist);
        const auto client =
            ec ? peer : auth::client_address(peer, ctx.req["X-Forwarded-For"], trusted_proxies_);
        if (ec || !allow || !auth::address_allowed(*allow, client)) {
            return api_error::make(errc::ip_not_allowed,
                                   "Requests from this address are not allowed for this API key");
        }
    }
    const std::string_view scope = required_scope(kind);
    if (!has_scope(key, scope)) {
        return api_error::make(errc::insufficient_scope,
                               "This API key lacks the '" + std::string(scope) + "' scope");
    }
    return std::nullopt;
}

void auth_middleware::admit(request_context& ctx,
                            std::shared_ptr<const storage::api_key_record> key) {
    ctx.admin = has_scope(*key, auth::scope::admin);
    ctx.key = std::move(key);
}

bool auth_middleware::needs_key(path_kind kind) const noexcept {
    const bool keys_required = cfg_.auth.mode == config::auth_mode::api_key;
    return kind != path_kind::open && (keys_required || kind == path_kind::admin);
}

bool auth_middleware::bootstrap_admin(path_kind kind, std::string_view raw) const noexcept {
    return kind == path_kind::admin && !cfg_.auth.bootstrap_api_key.empty() &&
           auth::constant_time_equal(raw, cfg_.auth.bootstrap_api_key);
}

bool auth_middleware::admitted_at_once(request_context& ctx) {
    const path_kind kind = classify_path(ctx.req.target());
    if (!needs_key(kind)) {
        return true;
    }
    const auto raw = presented_key(ctx);
    if (!raw) {
        return false;
    }
    if (bootstrap_admin(kind, *raw)) {
        ctx.admin = true;
        return true;
    }
    const std::string_view hash = ctx.key_memo.hash(*raw);
    if (hash.empty()) {
        return false;
    }
    auto key = cache_.get(hash, key_cache::clock::now());
    if (!key || !usable(*key, hash) || refusal(ctx, *key, kind)) {
        return false;  // before_async finds out why, and answers
    }
    admit(ctx, std::move(key));
    return true;
}

api_error auth_middleware::rejection(request_context& ctx, api_error err) {
    const auto& per_ip = cfg_.limits.rate_limits.ip_requests_per_minute;
    if (per_ip && err.status == 401) {
        const auto spec = limits::limit_spec::requests_per_minute(*per_ip);
        const auto decision = limiter_.hit("ip:" + ctx.client_ip, spec, 1);
        if (!decision.allowed) {
            return limits::rate_limit_error(decision);
        }
    }
    return err;
}

verdict auth_middleware::before(request_context& ctx) {
    // A request decided without waiting (an open path, a key in the cache) goes on at once;
    // the others wait in before_async().
    return admitted_at_once(ctx) ? verdict::passed() : verdict::waiting();
}

awaitable<verdict> auth_middleware::before_async(request_context& ctx) {
    const path_kind kind = classify_path(ctx.req.target());
    if (!needs_key(kind)) {
        co_return verdict::passed();
    }
    const auto raw = presented_key(ctx);
    if (!raw) {
        co_return verdict::refused(
            rejection(ctx, api_error::make(errc::missing_credentials,
                                           "Missing API key: send it as X-API-Key or "
                                           "Authorization: Bearer")));
    }
    if (bootstrap_admin(kind, *raw)) {
        ctx.admin = true;
        co_return verdict::passed();
    }
    // The hash admitted_at_once took, from the connection's memo: a key is hashed once.
    auto key = co_await lookup(std::string(ctx.key_memo.hash(*raw)));
    if (!key) {
        co_return verdict::refused(rejection(ctx, std::move(key.error())));
    }
    if (auto refused = refusal(ctx, **key, kind)) {
        co_return verdict::refused(std::move(*refused));
    }
    admit(ctx, std::move(*key));
    co_return verdict::passed();
}

}  // namespace hadrian::api
