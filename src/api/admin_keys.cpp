// The admin API's routing and its API key endpoints (usage reports: admin_usage.cpp).
#include <array>
#include <utility>

#include "admin.hpp"
#include "admin_input.hpp"
#include "hadrian/auth/api_key.hpp"
#include "hadrian/core/log.hpp"
#include "respond.hpp"

namespace hadrian::api {

namespace {

using core::api_error;
using core::errc;

constexpr std::string_view admin_prefix = "/admin/v1";

enum class route { none, keys, key, rotate, usage };

struct route_match {
    route which = route::none;
    std::string id;     // key routes
    std::string group;  // usage: "", "by-model", "by-date", "by-api-key"
    std::vector<http::verb> allowed;
};

route_match match_route(std::string_view path) {
    route_match m;
    if (!path.starts_with(admin_prefix)) {
        return m;
    }
    const std::string_view rest = path.substr(admin_prefix.size());
    constexpr std::string_view keys = "/api-keys";
    constexpr std::string_view usage = "/usage";
    if (rest == keys) {
        m.which = route::keys;
        m.allowed = {http::verb::get, http::verb::post};
    } else if (rest.starts_with(keys) && rest.size() > keys.size() + 1 &&
               rest[keys.size()] == '/') {
        std::string_view tail = rest.substr(keys.size() + 1);
        const auto slash = tail.find('/');
        if (slash == std::string_view::npos) {
            m.which = route::key;
            m.id = std::string(tail);
            m.allowed = {http::verb::get, http::verb::delete_};
        } else if (slash > 0 && tail.substr(slash) == "/rotate") {
            m.which = route::rotate;
            m.id = std::string(tail.substr(0, slash));
            m.allowed = {http::verb::post};
        }
    } else if (rest == usage) {
        m.which = route::usage;
        m.allowed = {http::verb::get};
    } else if (rest.starts_with(usage) && rest.size() > usage.size() && rest[usage.size()] == '/') {
        const std::string_view group = rest.substr(usage.size() + 1);
        if (group == "by-model" || group == "by-date" || group == "by-api-key") {
            m.which = route::usage;
            m.group = std::string(group);
            m.allowed = {http::verb::get};
        }
    }
    return m;
}

/// A store failure as the client sees it.
api_error store_error(const error_code& ec) {
    if (ec == errc::not_found) {
        return api_error::make(errc::not_found, "API key not found");
    }
    if (ec == errc::validation_error) {
        return api_error::make(errc::validation_error, "Invalid request");
    }
    return api_error::make(errc::internal_error, "The database request failed");
}

/// The key JSON of a create or rotate answer: key_json plus the raw key.
nlohmann::json with_raw_key(const storage::api_key_record& key, const std::string& raw) {
    nlohmann::json body = key_json(key);
    body["key"] = raw;
    return body;
}

/// A record for a new key: the settings of `settings`, the new key's hash and prefix, no id
/// (the store assigns one).
storage::api_key_record new_key_record(storage::api_key_record settings, std::string hash,
                                       std::string prefix, std::int64_t now) {
    storage::api_key_record key = std::move(settings);
    key.id.clear();
    key.key_hash = std::move(hash);
    key.key_prefix = std::move(prefix);
    key.created_at = now;
    key.revoked_at.reset();
    key.last_used_at.reset();
    key.rotated_to.reset();
    return key;
}

const std::shared_ptr<spdlog::logger>& log() {
    static const auto instance = core::logger("api");
    return instance;
}

}  // namespace

awaitable<void> admin_handler::handle(request_context& ctx) const {
    if (!ctx.admin) {
        const auto err = api_error::make(errc::insufficient_scope,
                                         "The admin API needs a key with the 'admin' scope");
        co_await send_error(ctx, err);
        co_return;
    }
    const std::string_view target = ctx.req.target();
    const std::string_view path = target.substr(0, target.find('?'));
    route_match m = match_route(path);
    if (m.which == route::none) {
        const auto err = api_error::make(errc::not_found, "No admin route for this path");
        co_await send_error(ctx, err);
        co_return;
    }
    const http::verb method = ctx.req.method();
    if (std::find(m.allowed.begin(), m.allowed.end(), method) == m.allowed.end()) {
        std::string allow;
        for (const http::verb v : m.allowed) {
            if (!allow.empty()) {
                allow += ", ";
            }
            allow += std::string(http::to_string(v));
        }
        auto err = api_error::make(
            errc::method_not_allowed,
            "Method " + std::string(ctx.req.method_string()) + " is not allowed on this path");
        err.headers.emplace_back("Allow", allow);
        co_await send_error(ctx, err);
        co_return;
    }
    if (db_ == nullptr) {
        const auto err = api_error::make(errc::not_supported, "The admin API needs a database");
        co_await send_error(ctx, err);
        co_return;
    }
    switch (m.which) {
        case route::keys:
            if (method == http::verb::post) {
                co_await create_key(ctx);
            } else {
                co_await list_keys(ctx);
            }
            break;
        case route::key:
            if (method == http::verb::get) {
                co_await get_key(ctx, std::move(m.id));
            } else {
                co_await revoke_key(ctx, std::move(m.id));
            }
            break;
        case route::rotate:
            co_await rotate_key(ctx, std::move(m.id));
            break;
        case route::usage:
            co_await usage(ctx, std::move(m.group));
            break;
        case route::none:
            break;
    }
}

awaitable<void> admin_handler::create_key(request_context& ctx) const {
    const std::int64_t now = unix_now();
    auto settings = parse_key_settings_body(ctx.req.body(), now);
    if (!settings) {
        co_await send_error(ctx, settings.error());
        co_return;
    }
    const std::string raw = auth::generate_api_key();
    auto record =
        new_key_record(std::move(*settings), auth::hash_api_key(raw), auth::key_prefix(raw), now);
    auto insert = [record](storage::store& s) { return s.create_key(record); };
    auto created = co_await db_->run(std::move(insert));
    if (!created) {
        const auto err = store_error(created.error());
        co_await send_error(ctx, err);
        co_return;
    }
    log()->info("request_id={} api key {} created", ctx.request_id, created->id);
    const nlohmann::json body = with_raw_key(*created, raw);
    co_await send_json(ctx, body, 201);
}

awaitable<void> admin_handler::list_keys(request_context& ctx) const {
    auto query = parse_list_query(ctx.req.target());
    if (!query) {
        co_await send_error(ctx, query.error());
        co_return;
    }
    const std::uint32_t limit = query->limit;
    const std::string cursor = query->cursor;
    auto list = [limit, cursor](storage::store& s) { return s.list_keys(limit, cursor); };
    auto page = co_await db_->run(std::move(list));
    if (!page) {
        auto err = store_error(page.error());
        if (page.error() == errc::validation_error) {
            // The limit was checked already: the store rejected the cursor.
            err = api_error::make(errc::validation_error,
                                  "cursor is not a cursor returned by this API", "cursor");
        }
        co_await send_error(ctx, err);
        co_return;
    }
    nlohmann::json data = nlohmann::json::array();
    for (const auto& key : page->rows) {
        data.push_back(key_json(key));
    }
    nlohmann::json pagination = nlohmann::json::object();
    pagination["limit"] = limit;
    pagination["has_more"] = page->has_more;
    if (page->next_cursor) {
        pagination["next_cursor"] = *page->next_cursor;
    } else {
        pagination["next_cursor"] = nullptr;
    }
    nlohmann::json body = nlohmann::json::object();
    body["data"] = std::move(data);
    body["pagination"] = std::move(pagination);
    co_await send_json(ctx, body);
}

awaitable<void> admin_handler::get_key(request_context& ctx, std::string id) const {
    auto read = [id](storage::store& s) { return s.get_key(id); };
    auto key = co_await db_->run(std::move(read));
    if (!key) {
        const auto err = store_error(key.error());
        co_await send_error(ctx, err);
        co_return;
    }
    const nlohmann::json body = key_json(*key);
    co_await send_json(ctx, body);
}

awaitable<void> admin_handler::revoke_key(request_context& ctx, std::string id) const {
    const std::int64_t now = unix_now();
    auto revoke = [id, now](storage::store& s) -> result<storage::api_key_record> {
        auto changed = s.revoke_key(id, now);
        if (!changed) {
            return changed.error();
        }
        return s.get_key(id);
    };
    auto key = co_await db_->run(std::move(revoke));
    if (!key) {
        const auto err = store_error(key.error());
        co_await send_error(ctx, err);
        co_return;
    }
    // Applies at once on this node; other replicas see it when their cache entry expires.
    cache_.invalidate(id);
    log()->info("request_id={} api key {} revoked", ctx.request_id, id);
    const nlohmann::json body = key_json(*key);
    co_await send_json(ctx, body);
}

awaitable<void> admin_handler::rotate_key(request_context& ctx, std::string id) const {
    auto grace = parse_rotate_body(ctx.req.body());
    if (!grace) {
        co_await send_error(ctx, grace.error());
        co_return;
    }
    const std::int64_t now = unix_now();
    const std::int64_t old_expires_at = now + *grace;
    const std::string raw = auth::generate_api_key();
    const std::string hash = auth::hash_api_key(raw);
    const std::string prefix = auth::key_prefix(raw);
    // Read, check and rotate in one call on the database thread, so that no other admin call
    // can slip in between.
    auto rotate = [id, hash, prefix, now,
                   old_expires_at](storage::store& s) -> input_result<storage::api_key_record> {
        auto old = s.get_key(id);
        if (!old) {
            return store_error(old.error());
        }
        if (old->revoked_at) {
            return api_error::make(errc::validation_error, "A revoked key cannot be rotated");
        }
        if (old->expires_at && *old->expires_at <= now) {
            return api_error::make(errc::validation_error, "An expired key cannot be rotated");
        }
        if (old->rotated_to) {
            // Its expiry is already the grace period of that rotation, which a second
            // replacement would inherit; rotate the replacement instead.
            return api_error::make(
                errc::validation_error,
                "This key was already rotated; rotate its replacement " + *old->rotated_to);
        }
        auto replacement = new_key_record(std::move(*old), hash, prefix, now);
        auto created = s.rotate_key(id, std::move(replacement), old_expires_at);
        if (!created) {
            return store_error(created.error());
        }
        return std::move(*created);
    };
    auto created = co_await db_->run(std::move(rotate));
    if (!created) {
        co_await send_error(ctx, created.error());
        co_return;
    }
    cache_.invalidate(id);
    log()->info("request_id={} api key {} rotated to {}", ctx.request_id, id, created->id);
    const nlohmann::json body = with_raw_key(*created, raw);
    co_await send_json(ctx, body, 201);
}

}  // namespace hadrian::api
