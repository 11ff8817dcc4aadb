#include "storage/sqlite/migrations.hpp"

#include <chrono>
#include <stdexcept>
#include <string>

#include "hadrian/core/log.hpp"

namespace hadrian::storage::sqlite {

namespace {

std::runtime_error startup_error(const std::string& what) {
    return std::runtime_error("database migration: " + what);
}

template <class T>
T must(result<T> r, const std::string& what) {
    if (!r) {
        throw startup_error(what + " failed (see the storage log)");
    }
    if constexpr (!std::is_void_v<T>) {
        return std::move(*r);
    }
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int newest_applied(connection& db) {
    auto st = must(db.prepare("SELECT MAX(version) FROM schema_migrations"), "reading versions");
    must(st.step(), "reading versions");
    return st.is_null(0) ? 0 : static_cast<int>(st.column_int(0));
}

bool is_applied(connection& db, int version) {
    auto st =
        must(db.prepare("SELECT 1 FROM schema_migrations WHERE version = ?1"), "reading versions");
    st.bind_int(1, version);
    return must(st.step(), "reading versions");
}

void apply_one(connection& db, const migration& m) {
    const std::string label = std::to_string(m.version) + "_" + std::string(m.name);
    auto tx = must(transaction::begin(db), "begin " + label);
    if (is_applied(db, m.version)) {
        return;  // another process got there first
    }
    must(db.exec(std::string(m.sql)), label);
    auto record =
        must(db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)"),
             "recording " + label);
    record.bind_int(1, m.version).bind_int(2, now_seconds());
    must(record.run(), "recording " + label);
    must(tx.commit(), "commit " + label);
    core::logger("storage")->info("applied database migration {}", label);
}

}  // namespace

int apply_migrations(connection& db, std::span<const migration> all) {
    for (std::size_t i = 1; i < all.size(); ++i) {
        if (all[i].version <= all[i - 1].version) {
            throw startup_error("versions are not strictly ascending");
        }
    }
    must(db.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                 "version INTEGER PRIMARY KEY NOT NULL, applied_at INTEGER NOT NULL)"),
         "creating schema_migrations");
    const int known = all.empty() ? 0 : all.back().version;
    if (const int found = newest_applied(db); found > known) {
        throw startup_error("the database has schema version " + std::to_string(found) +
                            ", newer than this build knows (" + std::to_string(known) +
                            "); run a newer Hadrian or restore a matching backup");
    }
    for (const auto& m : all) {
        if (!is_applied(db, m.version)) {
            apply_one(db, m);
        }
    }
    // Checked again: a newer process may have migrated while this one was applying.
    const int version = newest_applied(db);
    if (version > known) {
        throw startup_error("the database was migrated to version " + std::to_string(version) +
                            " by a newer build");
    }
    return version;
}

}  // namespace hadrian::storage::sqlite
