#include "storage/sqlite/statement.hpp"

#include "storage/sqlite/connection.hpp"

namespace hadrian::storage::sqlite {

statement::statement(connection& conn, sqlite3_stmt* stmt, bool* lease) noexcept
    : conn_(&conn), stmt_(stmt), lease_(lease) {}

statement::statement(statement&& other) noexcept
    : conn_(other.conn_), stmt_(other.stmt_), lease_(other.lease_), bind_rc_(other.bind_rc_) {
    other.stmt_ = nullptr;
}

statement::~statement() {
    if (stmt_ == nullptr) {
        return;
    }
    if (lease_ != nullptr) {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
        *lease_ = false;
    } else {
        sqlite3_finalize(stmt_);
    }
}

void statement::note(int rc) noexcept {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
        bind_rc_ = rc;
    }
}

statement& statement::bind_text(int index, std::string_view value) {
    // SQLITE_TRANSIENT: SQLite copies, so the caller's string may go away before step().
    note(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                             SQLITE_UTF8));
    return *this;
}

statement& statement::bind_text_unowned(int index, std::string_view value) {
    note(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8));
    return *this;
}

statement& statement::bind_int(int index, std::int64_t value) {
    note(sqlite3_bind_int64(stmt_, index, value));
    return *this;
}

statement& statement::bind_real(int index, double value) {
    note(sqlite3_bind_double(stmt_, index, value));
    return *this;
}

statement& statement::bind_null(int index) {
    note(sqlite3_bind_null(stmt_, index));
    return *this;
}

result<bool> statement::step() {
    if (bind_rc_ != SQLITE_OK) {
        return {boost::system::in_place_error, conn_->fail(bind_rc_, "bind", sqlite3_sql(stmt_))};
    }
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    return {boost::system::in_place_error, conn_->fail(rc, "step", sqlite3_sql(stmt_))};
}

result<void> statement::run() {
    for (;;) {
        auto row = step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return {};
        }
    }
}

void statement::reset() noexcept {
    sqlite3_reset(stmt_);
    bind_rc_ = SQLITE_OK;
}

bool statement::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t statement::column_int(int column) const { return sqlite3_column_int64(stmt_, column); }

double statement::column_real(int column) const { return sqlite3_column_double(stmt_, column); }

std::string statement::column_text(int column) const {
    const auto* text = sqlite3_column_text(stmt_, column);
    if (text == nullptr) {
        return {};
    }
    const int size = sqlite3_column_bytes(stmt_, column);
    return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

}  // namespace hadrian::storage::sqlite
