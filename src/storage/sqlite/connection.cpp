#include "storage/sqlite/connection.hpp"

#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "hadrian/core/error.hpp"
#include "hadrian/core/log.hpp"

namespace hadrian::storage::sqlite {

namespace {

bool is_memory(const std::string& path) { return path == ":memory:"; }

void create_parent_directory(const std::string& path) {
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty() && !std::filesystem::exists(parent)) {
        std::filesystem::create_directories(parent);
    }
}

}  // namespace

connection::connection(const std::string& path) {
    if (path.empty()) {
        throw std::runtime_error("database.path: the SQLite database needs a path");
    }
    if (sqlite3_threadsafe() == 0) {
        throw std::runtime_error("SQLite was built without thread support");
    }
    if (!is_memory(path)) {
        create_parent_directory(path);
    }
    static std::once_flag configured;
    std::call_once(configured, [] {
        // Allocation statistics cost a global mutex per allocation; nothing reads them.
        // (Refused, harmlessly, when SQLite was initialized before.)
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    });
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw std::runtime_error("cannot open SQLite database '" + path + "': " + message);
    }
    sqlite3_extended_result_codes(db_, 1);
    // busy_timeout first: setting WAL mode itself may wait for another process's lock.
    for (const char* pragma :
         {"PRAGMA busy_timeout = 5000", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL",
          "PRAGMA foreign_keys = ON",
          // Checkpoints every 16 MiB of log (4 KiB pages), not 4: usage
          // batches rewrite the same tail pages, copied once per
          // checkpoint. The log is cut back to 64 MiB after a burst.
          "PRAGMA wal_autocheckpoint = 4000", "PRAGMA journal_size_limit = 67108864"}) {
        if (!exec(pragma)) {
            std::string message = sqlite3_errmsg(db_);
            sqlite3_close(db_);
            db_ = nullptr;
            throw std::runtime_error("cannot configure SQLite database '" + path + "': " + message);
        }
    }
}

connection::~connection() {
    for (auto& [sql, entry] : cache_) {
        sqlite3_finalize(entry.stmt);
    }
    // sqlite3_close_v2 tolerates statements still alive (a bug elsewhere) instead of leaking.
    sqlite3_close_v2(db_);
}

result<statement> connection::prepare(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end() && !it->second.in_use) {
        it->second.in_use = true;
        return statement(*this, it->second.stmt, &it->second.in_use);
    }
    sqlite3_stmt* stmt = nullptr;
    const unsigned flags = it == cache_.end() ? SQLITE_PREPARE_PERSISTENT : 0;
    const int rc =
        sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), flags, &stmt, nullptr);
    if (rc != SQLITE_OK) {
        return fail(rc, "prepare", sql);
    }
    if (it != cache_.end()) {
        // The cached one is borrowed (a nested use of the same SQL): lend a private copy.
        return statement(*this, stmt, nullptr);
    }
    auto [entry, inserted] = cache_.emplace(std::string(sql), cached{stmt, true});
    return statement(*this, stmt, &entry->second.in_use);
}

bool connection::in_transaction() const noexcept { return sqlite3_get_autocommit(db_) == 0; }

result<void> connection::exec(const std::string& sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    sqlite3_free(message);  // the same text is available from sqlite3_errmsg
    if (rc != SQLITE_OK) {
        return fail(rc, "exec");
    }
    return {};
}

int connection::changes() const noexcept { return sqlite3_changes(db_); }

error_code connection::fail(int rc, std::string_view what, std::string_view sql) {
    core::logger("storage")->error("sqlite {} failed: {} ({}, code {}){}{}", what,
                                   sqlite3_errmsg(db_), sqlite3_errstr(rc), rc,
                                   sql.empty() ? "" : " in: ", sql);
    return core::errc::internal_error;
}

result<transaction> transaction::begin(connection& db) {
    auto st = db.prepare("BEGIN IMMEDIATE");
    if (!st) {
        return st.error();
    }
    if (auto r = st->run(); !r) {
        return r.error();
    }
    return transaction(db);
}

transaction::transaction(transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }

transaction::~transaction() {
    if (db_ == nullptr || !db_->in_transaction()) {
        return;
    }
    if (auto st = db_->prepare("ROLLBACK")) {
        (void)st->run();
    }
}

result<void> transaction::commit() {
    auto st = db_->prepare("COMMIT");
    if (!st) {
        return st.error();
    }
    auto r = st->run();
    if (r) {
        db_ = nullptr;
    }
    return r;
}

}  // namespace hadrian::storage::sqlite
