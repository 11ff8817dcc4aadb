// sqlite_store: stored Responses.
#include "storage/sqlite/sqlite_store.hpp"

namespace hadrian::storage::sqlite {

namespace {

void bind_optional(statement& st, int index, const std::optional<std::string>& value) {
    if (value) {
        st.bind_text(index, *value);
    } else {
        st.bind_null(index);
    }
}

std::optional<std::string> optional_text(const statement& st, int column) {
    if (st.is_null(column)) {
        return std::nullopt;
    }
    return st.column_text(column);
}

}  // namespace

result<bool> sqlite_store::put_response(const stored_response& r) {
    if (r.id.empty()) {
        return {boost::system::in_place_error, core::errc::validation_error};
    }
    // The update applies only when the stored row has the same owner (`IS` compares NULLs as
    // equal): an id clash between keys never overwrites another key's response.
    auto st = db_.prepare(
        "INSERT INTO responses (id, api_key_id, model, provider, created_at, "
        "previous_response_id, context, response) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
        "ON CONFLICT (id) DO UPDATE SET model = excluded.model, provider = excluded.provider, "
        "created_at = excluded.created_at, previous_response_id = excluded.previous_response_id, "
        "context = excluded.context, response = excluded.response "
        "WHERE responses.api_key_id IS excluded.api_key_id");
    if (!st) {
        return {boost::system::in_place_error, st.error()};
    }
    st->bind_text(1, r.id);
    bind_optional(*st, 2, r.api_key_id);
    st->bind_text(3, r.model).bind_text(4, r.provider).bind_int(5, r.created_at);
    bind_optional(*st, 6, r.previous_response_id);
    st->bind_text(7, r.context).bind_text(8, r.response);
    if (auto done = st->run(); !done) {
        return {boost::system::in_place_error, done.error()};
    }
    return db_.changes() > 0;
}

result<stored_response> sqlite_store::get_response(std::string_view id,
                                                   const std::optional<std::string>& owner) {
    if (id.empty()) {
        return core::errc::validation_error;
    }
    // ?2 NULL: any owner.
    auto st = db_.prepare(
        "SELECT id, api_key_id, model, provider, created_at, previous_response_id, context, "
        "response FROM responses WHERE id = ?1 AND (?2 IS NULL OR api_key_id = ?2)");
    if (!st) {
        return st.error();
    }
    st->bind_text(1, id);
    bind_optional(*st, 2, owner);
    auto row = st->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return core::errc::not_found;
    }
    stored_response r;
    r.id = st->column_text(0);
    r.api_key_id = optional_text(*st, 1);
    r.model = st->column_text(2);
    r.provider = st->column_text(3);
    r.created_at = st->column_int(4);
    r.previous_response_id = optional_text(*st, 5);
    r.context = st->column_text(6);
    r.response = st->column_text(7);
    return r;
}

result<void> sqlite_store::delete_response(std::string_view id,
                                           const std::optional<std::string>& owner) {
    if (id.empty()) {
        return core::errc::validation_error;
    }
    auto st =
        db_.prepare("DELETE FROM responses WHERE id = ?1 AND (?2 IS NULL OR api_key_id = ?2)");
    if (!st) {
        return st.error();
    }
    st->bind_text(1, id);
    bind_optional(*st, 2, owner);
    if (auto done = st->run(); !done) {
        return done.error();
    }
    if (db_.changes() == 0) {
        return core::errc::not_found;
    }
    return {};
}

}  // namespace hadrian::storage::sqlite
