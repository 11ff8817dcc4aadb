#include "hadrian/storage/db_executor.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <latch>
#include <thread>

#include "temp_database.hpp"

namespace hadrian::storage {
namespace {

struct observed {
    std::thread::id store_thread;
    std::thread::id resumed_thread;
    bool resumed_on_strand = false;
    std::optional<api_key_record> key;
    std::int64_t spend = -1;
    bool done = false;
};

api_key_record sample_key() {
    api_key_record k;
    k.name = "executor";
    k.key_hash = "executor-hash";
    k.key_prefix = "gw_live_";
    return k;
}

// A named coroutine (no capturing lambda coroutines): creates a key and reads spend.
awaitable<void> use_store(db_executor& db, observed& out,
                          asio::strand<asio::io_context::executor_type> strand) {
    out.key = co_await db.run([](store& s) {
        auto created = s.create_key(sample_key());
        return created.value();
    });
    auto spend = co_await db.run([&out](store& s) {
        out.store_thread = std::this_thread::get_id();
        return s.spend_since(out.key->id, 0);
    });
    out.spend = spend.value();
    co_await db.run([](store& s) { (void)s.ping(); });  // a call without a result
    out.resumed_thread = std::this_thread::get_id();
    out.resumed_on_strand = strand.running_in_this_thread();
    out.done = true;
}

TEST(DbExecutor, RunsOnTheDatabaseThreadAndResumesOnTheCallersExecutor) {
    db_executor db(open_store(testing::memory_config()));
    asio::io_context io;
    auto strand = asio::make_strand(io);
    observed out;
    asio::co_spawn(strand, use_store(db, out, strand), asio::detached);
    io.run();
    ASSERT_TRUE(out.done);
    ASSERT_TRUE(out.key);
    EXPECT_EQ(out.key->name, "executor");
    EXPECT_EQ(out.spend, 0);
    EXPECT_NE(out.store_thread, std::this_thread::get_id());
    EXPECT_NE(out.store_thread, std::thread::id());
    EXPECT_EQ(out.resumed_thread, std::this_thread::get_id());
    EXPECT_TRUE(out.resumed_on_strand);
    // The key is really there.
    EXPECT_EQ(
        db.run_sync([](store& s) { return s.find_key_by_hash("executor-hash"); }).value().name,
        "executor");
}

awaitable<void> expect_rethrow(db_executor& db, bool& caught) {
    try {
        co_await db.run([](store&) -> int { throw std::runtime_error("boom"); });
    } catch (const std::runtime_error&) {
        caught = true;
    }
}

TEST(DbExecutor, ExceptionReachesTheAwaitingCoroutine) {
    db_executor db(open_store(testing::memory_config()));
    asio::io_context io;
    bool caught = false;
    asio::co_spawn(io, expect_rethrow(db, caught), asio::detached);
    io.run();
    EXPECT_TRUE(caught);
}

TEST(DbExecutor, RunSyncFromOtherThreadsAndInline) {
    db_executor db(open_store(testing::memory_config()));
    EXPECT_FALSE(db.on_database_thread());
    const auto caller = std::this_thread::get_id();
    const bool other =
        db.run_sync([caller](store&) { return std::this_thread::get_id() != caller; });
    EXPECT_TRUE(other);
    // Nested run_sync on the database thread runs inline instead of deadlocking.
    const bool nested = db.run_sync([&db](store&) {
        return db.on_database_thread() &&
               db.run_sync([](store& s) { return s.ping(); }).has_value();
    });
    EXPECT_TRUE(nested);
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&db, &ok, t] {
            for (int i = 0; i < 25; ++i) {
                usage_record u;
                u.request_id = std::to_string(t) + "-" + std::to_string(i);
                u.api_key_id = "key_t";
                u.model = "m";
                u.provider = "p";
                u.cost_microcents = 1;
                u.status = 200;
                u.created_at = 1;
                if (db.run_sync([u](store& s) { return s.insert_usage(std::vector{u}); })) {
                    ++ok;
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    EXPECT_EQ(ok.load(), 100);
    EXPECT_EQ(db.run_sync([](store& s) { return s.spend_since("key_t", 0); }).value(), 100);
}

TEST(DbExecutor, DestructorDrainsQueuedWork) {
    testing::temp_database tmp;
    {
        asio::io_context io;
        db_executor db(open_store(tmp.config()));
        std::latch release(1);
        // The first call holds the database thread, so the inserts behind it stay queued.
        asio::co_spawn(io, db.run([&release](store&) { release.wait(); }), asio::detached);
        for (int i = 0; i < 50; ++i) {
            usage_record u;
            u.request_id = std::to_string(i);
            u.api_key_id = "key_d";
            u.model = "m";
            u.provider = "p";
            u.cost_microcents = 2;
            u.status = 200;
            u.created_at = 1;
            asio::co_spawn(
                io, db.run([u](store& s) { return s.insert_usage(std::vector{u}).has_value(); }),
                asio::detached);
        }
        io.poll();  // submits every call; none has completed
        release.count_down();
        // db is destroyed here, before io: its destructor must run the 50 queued inserts.
    }
    auto s = open_store(tmp.config());
    EXPECT_EQ(s->spend_since("key_d", 0).value(), 100);
}

TEST(DbExecutor, NeedsAStore) { EXPECT_THROW(db_executor(nullptr), std::invalid_argument); }

}  // namespace
}  // namespace hadrian::storage
