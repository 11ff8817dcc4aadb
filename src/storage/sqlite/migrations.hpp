// Schema migrations of the SQLite store: numbered SQL files (migrations/NNN_name.sql),
// embedded into the binary at build time, applied in order at startup.
#pragma once

#include <span>
#include <string_view>

#include "storage/sqlite/connection.hpp"

namespace hadrian::storage::sqlite {

struct migration {
    int version;  // NNN of the file name
    std::string_view name;
    std::string_view sql;
};

/// Every migration of migrations/*.sql, by ascending version (a source generated from the SQL
/// files at build time).
std::span<const migration> embedded_migrations();

/// Brings the schema up to date: creates `schema_migrations(version, applied_at)` when
/// missing, then applies each migration not recorded there, in order, each in its own
/// transaction together with its row in schema_migrations. Idempotent; safe when several
/// processes start on one file (each re-checks under the write lock). Returns the schema
/// version. Throws std::runtime_error when a migration fails, when `all` is not strictly
/// ascending, or when the database has a version this build does not know (a newer build
/// wrote it).
int apply_migrations(connection& db, std::span<const migration> all);

}  // namespace hadrian::storage::sqlite
