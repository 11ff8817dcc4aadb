#include "storage/sqlite/migrations.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <stdexcept>

#include "hadrian/storage/store.hpp"
#include "storage/sqlite/connection.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "temp_database.hpp"

namespace hadrian::storage::sqlite {
namespace {

using testing::temp_database;

std::int64_t count_rows(connection& db, const char* sql) {
    auto st = db.prepare(sql);
    EXPECT_TRUE(st);
    auto row = st->step();
    EXPECT_TRUE(row && *row);
    return st->column_int(0);
}

TEST(Migrations, EmbeddedListStartsAtOneAndAscends) {
    const auto all = embedded_migrations();
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(all.front().version, 1);
    EXPECT_EQ(all.front().name, "initial");
    EXPECT_NE(all.front().sql.find("CREATE TABLE api_keys"), std::string_view::npos);
    for (std::size_t i = 1; i < all.size(); ++i) {
        EXPECT_LT(all[i - 1].version, all[i].version);
    }
}

TEST(Migrations, AppliedOnceAndRecorded) {
    connection db(":memory:");
    const int version = apply_migrations(db, embedded_migrations());
    EXPECT_EQ(version, embedded_migrations().back().version);
    const auto applied = static_cast<std::int64_t>(embedded_migrations().size());
    EXPECT_EQ(count_rows(db, "SELECT COUNT(*) FROM schema_migrations"), applied);
    EXPECT_GT(count_rows(db, "SELECT MIN(applied_at) FROM schema_migrations"), 1'600'000'000);
    // A second run changes nothing (it would fail on CREATE TABLE if it re-applied).
    EXPECT_EQ(apply_migrations(db, embedded_migrations()), version);
    EXPECT_EQ(count_rows(db, "SELECT COUNT(*) FROM schema_migrations"), applied);
}

TEST(Migrations, ReopeningAFileDoesNotReapply) {
    temp_database tmp;
    std::int64_t first_applied_at = 0;
    {
        sqlite_store s(tmp.path());
        EXPECT_EQ(s.schema_version(), embedded_migrations().back().version);
    }
    {
        connection db(tmp.path());
        first_applied_at = count_rows(db, "SELECT applied_at FROM schema_migrations");
    }
    sqlite_store again(tmp.path());
    EXPECT_EQ(again.schema_version(), embedded_migrations().back().version);
    connection db(tmp.path());
    EXPECT_EQ(count_rows(db, "SELECT COUNT(*) FROM schema_migrations"),
              static_cast<std::int64_t>(embedded_migrations().size()));
    EXPECT_EQ(count_rows(db, "SELECT applied_at FROM schema_migrations"), first_applied_at);
}

TEST(Migrations, NewerVersionInTheDatabaseIsAStartupError) {
    temp_database tmp;
    { sqlite_store s(tmp.path()); }
    {
        connection db(tmp.path());
        ASSERT_TRUE(db.exec("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)"));
    }
    try {
        sqlite_store s(tmp.path());
        FAIL() << "opened a database with a newer schema";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("999"), std::string::npos) << e.what();
    }
    EXPECT_THROW(open_store(tmp.config()), std::runtime_error);
}

TEST(Migrations, FailingMigrationRollsBackAndThrows) {
    connection db(":memory:");
    const migration broken[] = {
        {1, "good", "CREATE TABLE a (x INTEGER)"},
        {2, "bad", "CREATE TABLE b (x INTEGER); THIS IS NOT SQL"},
    };
    EXPECT_THROW(apply_migrations(db, broken), std::runtime_error);
    EXPECT_EQ(count_rows(db, "SELECT MAX(version) FROM schema_migrations"), 1);
    EXPECT_EQ(count_rows(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'"), 0);
}

TEST(Migrations, UnorderedListIsRejected) {
    connection db(":memory:");
    const migration unordered[] = {
        {2, "two", "CREATE TABLE a (x INTEGER)"},
        {1, "one", "CREATE TABLE b (x INTEGER)"},
    };
    EXPECT_THROW(apply_migrations(db, unordered), std::runtime_error);
}

TEST(Connection, OpensWithThePragmas) {
    temp_database tmp;
    connection db(tmp.path());
    EXPECT_TRUE(std::filesystem::exists(tmp.path()));
    auto mode = db.prepare("PRAGMA journal_mode");
    ASSERT_TRUE(mode);
    ASSERT_TRUE(mode->step().value());
    EXPECT_EQ(mode->column_text(0), "wal");
    EXPECT_EQ(count_rows(db, "PRAGMA foreign_keys"), 1);
    EXPECT_EQ(count_rows(db, "PRAGMA busy_timeout"), 5000);
    EXPECT_EQ(count_rows(db, "PRAGMA synchronous"), 1);  // NORMAL
}

TEST(Connection, UnopenablePathIsAStartupError) {
    temp_database tmp;
    std::filesystem::create_directories(tmp.root());
    // A directory where the file should be.
    EXPECT_THROW(connection(tmp.root().string()), std::runtime_error);
    EXPECT_THROW(connection(""), std::runtime_error);
}

TEST(Connection, SqlErrorsBecomeInternalError) {
    connection db(":memory:");
    auto st = db.prepare("SELECT * FROM no_such_table");
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error(), core::errc::internal_error);
}

TEST(Connection, NestedUseOfOneStatementGetsAPrivateCopy) {
    connection db(":memory:");
    ASSERT_TRUE(db.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2);"));
    auto outer = db.prepare("SELECT x FROM t ORDER BY x");
    ASSERT_TRUE(outer);
    ASSERT_TRUE(outer->step().value());
    auto inner = db.prepare("SELECT x FROM t ORDER BY x");
    ASSERT_TRUE(inner);
    ASSERT_TRUE(inner->step().value());
    EXPECT_EQ(inner->column_int(0), 1);
    ASSERT_TRUE(outer->step().value());
    EXPECT_EQ(outer->column_int(0), 2);
}

TEST(OpenStore, NoneGivesNoStoreAndPostgresIsNotYetSupported) {
    EXPECT_EQ(open_store(config::database_config{}), nullptr);
    config::database_config pg{config::database_type::postgres, "", "postgres://localhost/x"};
    EXPECT_THROW(open_store(pg), std::runtime_error);
}

}  // namespace
}  // namespace hadrian::storage::sqlite
