// sqlite_store: construction and the API key table.
#include <chrono>
#include <string>

#include "hadrian/core/error.hpp"
#include "storage/key_cursor.hpp"
#include "storage/sqlite/key_row.hpp"
#include "storage/sqlite/migrations.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace hadrian::storage::sqlite {

namespace {

constexpr std::uint32_t max_page = 1000;

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// result<bool> cannot be built implicitly from an error_code (error_code converts to bool).
result<bool> bool_failure(error_code ec) { return {boost::system::in_place_error, ec}; }

// SQL around the column list of key_row.hpp, built once.
std::string with_columns(std::string_view before, std::string_view after) {
    return std::string(before) + std::string(key_columns()) + std::string(after);
}

}  // namespace

sqlite_store::sqlite_store(const std::string& path) : db_(path) {
    schema_version_ = apply_migrations(db_, embedded_migrations());
}

result<void> sqlite_store::ping() {
    auto st = db_.prepare("SELECT 1");
    if (!st) {
        return st.error();
    }
    return st->run();
}

result<api_key_record> sqlite_store::create_key(api_key_record key) {
    return insert_key(std::move(key));
}

result<api_key_record> sqlite_store::insert_key(api_key_record key) {
    if (key.key_hash.empty()) {
        return core::errc::validation_error;
    }
    if (key.id.empty()) {
        key.id = new_key_id();
    }
    if (key.created_at == 0) {
        key.created_at = now_seconds();
    }
    static const std::string sql = with_columns(
        "INSERT INTO api_keys (",
        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
        "?18, ?19)");
    auto st = db_.prepare(sql);
    if (!st) {
        return st.error();
    }
    bind_key(*st, key);
    if (auto r = st->run(); !r) {
        return r.error();
    }
    return key;
}

result<api_key_record> sqlite_store::select_one_key(std::string_view sql, std::string_view value) {
    auto st = db_.prepare(sql);
    if (!st) {
        return st.error();
    }
    st->bind_text(1, value);
    auto row = st->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return core::errc::not_found;
    }
    return read_key(*st);
}

result<api_key_record> sqlite_store::get_key(std::string_view id) {
    static const std::string sql = with_columns("SELECT ", " FROM api_keys WHERE id = ?1");
    return select_one_key(sql, id);
}

result<api_key_record> sqlite_store::find_key_by_hash(std::string_view key_hash) {
    static const std::string sql = with_columns("SELECT ", " FROM api_keys WHERE key_hash = ?1");
    return select_one_key(sql, key_hash);
}

result<bool> sqlite_store::key_exists(std::string_view id) {
    auto st = db_.prepare("SELECT 1 FROM api_keys WHERE id = ?1");
    if (!st) {
        return bool_failure(st.error());
    }
    st->bind_text(1, id);
    return st->step();
}

result<key_page> sqlite_store::list_keys(std::uint32_t limit, std::string_view cursor) {
    if (limit < 1 || limit > max_page) {
        return core::errc::validation_error;
    }
    std::optional<key_cursor> after;
    if (!cursor.empty()) {
        after = decode_key_cursor(cursor);
        if (!after) {
            return core::errc::validation_error;
        }
    }
    // One row more than asked tells whether another page follows.
    static const std::string first_page =
        with_columns("SELECT ", " FROM api_keys ORDER BY created_at DESC, id DESC LIMIT ?1");
    static const std::string next_page = with_columns(
        "SELECT ",
        " FROM api_keys WHERE (created_at, id) < (?2, ?3) ORDER BY created_at DESC, id DESC "
        "LIMIT ?1");
    auto st = db_.prepare(after ? next_page : first_page);
    if (!st) {
        return st.error();
    }
    st->bind_int(1, static_cast<std::int64_t>(limit) + 1);
    if (after) {
        st->bind_int(2, after->created_at).bind_text(3, after->id);
    }
    key_page page;
    for (;;) {
        auto row = st->step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            break;
        }
        if (page.rows.size() == limit) {
            page.has_more = true;
            break;
        }
        auto key = read_key(*st);
        if (!key) {
            return key.error();
        }
        page.rows.push_back(std::move(*key));
    }
    if (page.has_more) {
        const auto& last = page.rows.back();
        page.next_cursor = encode_key_cursor({last.created_at, last.id});
    }
    return page;
}

result<bool> sqlite_store::revoke_key(std::string_view id, std::int64_t at) {
    auto st =
        db_.prepare("UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
    if (!st) {
        return bool_failure(st.error());
    }
    st->bind_text(1, id).bind_int(2, at);
    if (auto r = st->run(); !r) {
        return bool_failure(r.error());
    }
    if (db_.changes() > 0) {
        return true;
    }
    auto exists = key_exists(id);
    if (!exists) {
        return bool_failure(exists.error());
    }
    if (!*exists) {
        return core::errc::not_found;
    }
    return false;
}

result<void> sqlite_store::set_key_expiry(std::string_view id, std::optional<std::int64_t> at) {
    auto st = db_.prepare("UPDATE api_keys SET expires_at = ?2 WHERE id = ?1");
    if (!st) {
        return st.error();
    }
    st->bind_text(1, id);
    bind_optional_time(*st, 2, at);
    if (auto r = st->run(); !r) {
        return r.error();
    }
    if (db_.changes() == 0) {
        return core::errc::not_found;
    }
    return {};
}

result<void> sqlite_store::set_rotated_to(std::string_view id, std::string_view new_id) {
    auto exists = key_exists(new_id);
    if (!exists) {
        return exists.error();
    }
    if (!*exists) {
        return core::errc::not_found;
    }
    auto st = db_.prepare("UPDATE api_keys SET rotated_to = ?2 WHERE id = ?1");
    if (!st) {
        return st.error();
    }
    st->bind_text(1, id).bind_text(2, new_id);
    if (auto r = st->run(); !r) {
        return r.error();
    }
    if (db_.changes() == 0) {
        return core::errc::not_found;
    }
    return {};
}

result<api_key_record> sqlite_store::rotate_key(std::string_view old_id, api_key_record replacement,
                                                std::int64_t old_expires_at) {
    auto tx = transaction::begin(db_);
    if (!tx) {
        return tx.error();
    }
    auto exists = key_exists(old_id);
    if (!exists) {
        return exists.error();
    }
    if (!*exists) {
        return core::errc::not_found;
    }
    auto created = insert_key(std::move(replacement));
    if (!created) {
        return created.error();
    }
    auto st = db_.prepare(
        "UPDATE api_keys SET rotated_to = ?2, expires_at = CASE WHEN expires_at IS NOT NULL "
        "AND expires_at < ?3 THEN expires_at ELSE ?3 END WHERE id = ?1");
    if (!st) {
        return st.error();
    }
    st->bind_text(1, old_id).bind_text(2, created->id).bind_int(3, old_expires_at);
    if (auto r = st->run(); !r) {
        return r.error();
    }
    if (auto r = tx->commit(); !r) {
        return r.error();
    }
    return created;
}

result<void> sqlite_store::touch_last_used(std::string_view id, std::int64_t at) {
    auto st = db_.prepare(
        "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1 AND (last_used_at IS NULL OR "
        "last_used_at < ?2)");
    if (!st) {
        return st.error();
    }
    st->bind_text(1, id).bind_int(2, at);
    if (auto r = st->run(); !r) {
        return r.error();
    }
    if (db_.changes() > 0) {
        return {};
    }
    auto exists = key_exists(id);
    if (!exists) {
        return exists.error();
    }
    if (!*exists) {
        return core::errc::not_found;
    }
    return {};
}

result<void> sqlite_store::touch_last_used_many(const std::vector<key_touch>& touches) {
    if (touches.empty()) {
        return {};
    }
    auto tx = transaction::begin(db_);
    if (!tx) {
        return tx.error();
    }
    auto st = db_.prepare(
        "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1 AND (last_used_at IS NULL OR "
        "last_used_at < ?2)");
    if (!st) {
        return st.error();
    }
    for (const auto& t : touches) {
        st->reset();
        st->bind_text(1, t.id).bind_int(2, t.at);
        if (auto r = st->run(); !r) {
            return r.error();
        }
    }
    return tx->commit();
}

}  // namespace hadrian::storage::sqlite
