// One SQLite connection: opening with the gateway's pragmas, a per-connection cache of
// prepared statements, transactions, and the mapping of SQLite failures to errors.
#pragma once

#include <sqlite3.h>

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "hadrian/core/asio.hpp"
#include "storage/sqlite/statement.hpp"

namespace hadrian::storage::sqlite {

/// Thread safety: none; one thread at a time (the connection is opened in SQLite's
/// multi-thread mode, without its own mutex). Lifetime: outlives every statement it lent.
class connection {
public:
    /// Opens or creates the database at `path` (a file, whose parent directory is created
    /// when missing, or `:memory:`) with WAL journaling, synchronous=NORMAL, a 5 s busy
    /// timeout and foreign keys on. Throws std::runtime_error.
    explicit connection(const std::string& path);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    /// The cached prepared statement for `sql` (prepared on first use). Data goes in through
    /// bound parameters only; `sql` is always a constant of the program.
    result<statement> prepare(std::string_view sql);

    /// Runs parameterless SQL, possibly several statements (schema changes, pragmas).
    result<void> exec(const std::string& sql);

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    int changes() const noexcept;

    /// Logs a failure with SQLite's message (never data: values are bound, not in the SQL)
    /// and returns errc::internal_error.
    error_code fail(int rc, std::string_view what, std::string_view sql = {});

    /// Whether a transaction is open (SQLite ends one by itself after some failures).
    bool in_transaction() const noexcept;

private:
    struct cached {
        sqlite3_stmt* stmt = nullptr;
        bool in_use = false;  // lent to a statement; the map's nodes never move
    };
    struct text_hash : std::hash<std::string_view> {
        using is_transparent = void;
    };

    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, cached, text_hash, std::equal_to<>> cache_;
};

/// BEGIN IMMEDIATE … COMMIT; rolls back when destroyed uncommitted. IMMEDIATE takes the
/// write lock up front, so a writer waits (busy timeout) at BEGIN rather than failing later.
class transaction {
public:
    static result<transaction> begin(connection& db);
    ~transaction();
    transaction(transaction&& other) noexcept;
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;
    transaction& operator=(transaction&&) = delete;

    result<void> commit();

private:
    explicit transaction(connection& db) noexcept : db_(&db) {}
    connection* db_;
};

}  // namespace hadrian::storage::sqlite
