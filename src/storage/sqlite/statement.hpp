// A prepared SQLite statement with bound parameters: the only way the SQLite store runs SQL
// that carries data.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "hadrian/core/asio.hpp"

namespace hadrian::storage::sqlite {

class connection;

/// Borrowed from a connection's statement cache (or owned, when the cached one is already in
/// use); reset and unbound when destroyed, ready for the next borrower.
/// Thread safety: none. Lifetime: must not outlive its connection.
class statement {
public:
    /// `lease` is the cache's in-use flag of `stmt`, cleared on destruction; nullptr for a
    /// statement of its own, finalized on destruction.
    statement(connection& conn, sqlite3_stmt* stmt, bool* lease) noexcept;
    ~statement();
    statement(statement&& other) noexcept;
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;
    statement& operator=(statement&&) = delete;

    // Parameters are 1-based. A failed bind is reported by the next step().
    statement& bind_text(int index, std::string_view value);
    /// bind_text without a copy: `value` must stay alive and unchanged until the statement is
    /// reset or bound again (for rows written in a loop).
    statement& bind_text_unowned(int index, std::string_view value);
    statement& bind_int(int index, std::int64_t value);
    statement& bind_real(int index, double value);
    statement& bind_null(int index);

    /// One step: true when a row is ready to read, false when the statement is done.
    result<bool> step();
    /// Steps until done, for statements that return no rows.
    result<void> run();
    /// Ready to run again (bindings are kept; bind the next values over them).
    void reset() noexcept;

    // Columns are 0-based, valid after step() returned true.
    bool is_null(int column) const;
    std::int64_t column_int(int column) const;
    double column_real(int column) const;
    std::string column_text(int column) const;

private:
    void note(int rc) noexcept;

    connection* conn_;
    sqlite3_stmt* stmt_;
    bool* lease_;
    int bind_rc_ = SQLITE_OK;
};

}  // namespace hadrian::storage::sqlite
