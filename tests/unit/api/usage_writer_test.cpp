#include "api/usage_writer.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

#include "../storage/temp_database.hpp"

namespace hadrian::api {
namespace {

storage::usage_record record_of(int i) {
    storage::usage_record r;
    r.request_id = "req-" + std::to_string(i);
    r.api_key_id = "key-" + std::to_string(i);
    r.model = "m";
    r.provider = "p";
    r.status = 200;
    r.created_at = 1000 + i;
    return r;
}

std::int64_t requests_of(storage::db_executor& db, int i) {
    storage::usage_filter f;
    f.api_key_id = "key-" + std::to_string(i);
    return db.run_sync([&f](storage::store& s) { return s.usage_summary(f); }).value().requests;
}

TEST(UsageWriter, AFullQueueDropsItsOldestTenthAndKeepsTheNewest) {
    storage::db_executor db(storage::open_store(storage::testing::memory_config()));
    usage_writer writer(db, std::chrono::hours(1), 256, 20);
    for (int i = 0; i < 20; ++i) {
        writer.record(record_of(i));
    }
    EXPECT_EQ(writer.pending(), 20U);
    writer.record(record_of(20));  // full: records 0 and 1 go, 20 comes in
    EXPECT_EQ(writer.pending(), 19U);
    writer.record(record_of(21));  // room for it
    EXPECT_EQ(writer.pending(), 20U);
    writer.record(record_of(22));  // full again: 2 and 3 go
    EXPECT_EQ(writer.pending(), 19U);
    writer.flush();
    EXPECT_EQ(writer.pending(), 0U);
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(requests_of(db, i), 0) << i;
    }
    for (int i = 4; i < 23; ++i) {
        EXPECT_EQ(requests_of(db, i), 1) << i;
    }
}

/// A store whose `failing_write`th usage write fails; everything else goes to a real one.
class flaky_store final : public storage::store {
public:
    explicit flaky_store(std::unique_ptr<storage::store> inner) : inner_(std::move(inner)) {}
    int failing_write = 0;  ///< the usage write (from 1) that fails
    int usage_writes = 0;
    std::vector<std::string> first_of_write;  ///< each write's first request id and size

    result<void> insert_usage(std::span<const storage::usage_record> rows) override {
        first_of_write.push_back(
            rows.empty() ? "-" : rows.front().request_id + "+" + std::to_string(rows.size()));
        if (++usage_writes == failing_write) {
            return core::errc::internal_error;
        }
        return inner_->insert_usage(rows);
    }

    result<void> ping() override { return inner_->ping(); }
    result<storage::api_key_record> create_key(storage::api_key_record k) override {
        return inner_->create_key(std::move(k));
    }
    result<storage::api_key_record> get_key(std::string_view id) override {
        return inner_->get_key(id);
    }
    result<storage::api_key_record> find_key_by_hash(std::string_view h) override {
        return inner_->find_key_by_hash(h);
    }
    result<storage::key_page> list_keys(std::uint32_t limit, std::string_view cursor) override {
        return inner_->list_keys(limit, cursor);
    }
    result<bool> revoke_key(std::string_view id, std::int64_t at) override {
        return inner_->revoke_key(id, at);
    }
    result<void> set_key_expiry(std::string_view id, std::optional<std::int64_t> at) override {
        return inner_->set_key_expiry(id, at);
    }
    result<void> set_rotated_to(std::string_view id, std::string_view new_id) override {
        return inner_->set_rotated_to(id, new_id);
    }
    result<storage::api_key_record> rotate_key(std::string_view old_id,
                                               storage::api_key_record replacement,
                                               std::int64_t old_expires_at) override {
        return inner_->rotate_key(old_id, std::move(replacement), old_expires_at);
    }
    result<void> touch_last_used(std::string_view id, std::int64_t at) override {
        return inner_->touch_last_used(id, at);
    }
    result<void> touch_last_used_many(const std::vector<storage::key_touch>& t) override {
        return inner_->touch_last_used_many(t);
    }
    result<storage::usage_totals> usage_summary(const storage::usage_filter& f) override {
        return inner_->usage_summary(f);
    }
    result<std::vector<storage::usage_group>> usage_by_model(
        const storage::usage_filter& f) override {
        return inner_->usage_by_model(f);
    }
    result<std::vector<storage::usage_group>> usage_by_date(
        const storage::usage_filter& f) override {
        return inner_->usage_by_date(f);
    }
    result<std::vector<storage::usage_group>> usage_by_api_key(
        const storage::usage_filter& f) override {
        return inner_->usage_by_api_key(f);
    }
    result<std::int64_t> spend_since(std::string_view key_id, std::int64_t since_ms) override {
        return inner_->spend_since(key_id, since_ms);
    }
    result<std::map<std::string, std::int64_t>> spend_since_all(std::int64_t since_ms) override {
        return inner_->spend_since_all(since_ms);
    }
    result<bool> put_response(const storage::stored_response& r) override {
        return inner_->put_response(r);
    }
    result<storage::stored_response> get_response(
        std::string_view id, const std::optional<std::string>& owner) override {
        return inner_->get_response(id, owner);
    }
    result<void> delete_response(std::string_view id,
                                 const std::optional<std::string>& owner) override {
        return inner_->delete_response(id, owner);
    }

private:
    std::unique_ptr<storage::store> inner_;
};

/// Runs `ioc` until `done()` or five seconds have passed, then a little longer, so that the
/// flush loop is back waiting on its timer.
template <class Done>
void run_until(asio::io_context& ioc, Done done) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done() && std::chrono::steady_clock::now() < end) {
        ioc.run_for(std::chrono::milliseconds(10));
    }
    ioc.run_for(std::chrono::milliseconds(50));
}

/// A writer's database on a flaky store, and the io_context its flush loop runs on.
struct flaky_writer {
    flaky_store* store = nullptr;
    std::unique_ptr<storage::db_executor> db;
    asio::io_context ioc;

    explicit flaky_writer(int failing_write) {
        auto flaky =
            std::make_unique<flaky_store>(storage::open_store(storage::testing::memory_config()));
        flaky->failing_write = failing_write;
        store = flaky.get();
        db = std::make_unique<storage::db_executor>(std::move(flaky));
    }
    std::int64_t stored() {
        return db->run_sync([](storage::store& s) { return s.usage_summary({}); }).value().requests;
    }
};

TEST(UsageWriter, AFailedBatchAndTheRestAreWrittenOnTheNextTurnOnce) {
    for (const int failing : {1, 2, 3}) {
        flaky_writer f(failing);
        usage_writer writer(*f.db, std::chrono::milliseconds(20), 4);
        for (int i = 0; i < 10; ++i) {
            writer.record(record_of(i));
        }
        writer.start(f.ioc);
        run_until(f.ioc, [&] { return f.stored() == 10; });
        EXPECT_EQ(f.stored(), 10) << failing;
        for (int i = 0; i < 10; ++i) {
            EXPECT_EQ(requests_of(*f.db, i), 1) << failing << " " << i;
        }
        // Three writes of 4, 4 and 2 rows, the failed one and those after it made again on
        // the next turn: four writes whichever failed.
        EXPECT_EQ(f.db->run_sync([&f](storage::store&) { return f.store->usage_writes; }), 4)
            << failing;
    }
}

TEST(UsageWriter, RecordsOfIntervalAfterIntervalAreWrittenOnceEach) {
    // Each interval's vector is emptied and handed out again: nothing of an earlier interval
    // may come back, nothing of a later one go missing.
    flaky_writer f(0);
    usage_writer writer(*f.db, std::chrono::milliseconds(5), 4);
    writer.start(f.ioc);
    int recorded = 0;
    for (const int n : {3, 9, 1, 6}) {
        for (int i = 0; i < n; ++i) {
            writer.record(record_of(recorded++));
        }
        run_until(f.ioc, [&] { return f.stored() == recorded; });
        ASSERT_EQ(f.stored(), recorded);
    }
    for (int i = 0; i < recorded; ++i) {
        EXPECT_EQ(requests_of(*f.db, i), 1) << i;
    }
}

TEST(UsageWriter, AFullBatchIsWrittenAtOnceAndFewerRecordsWaitForTheInterval) {
    flaky_writer f(0);
    usage_writer writer(*f.db, std::chrono::hours(1), 4);
    writer.start(f.ioc);
    for (int i = 0; i < 4; ++i) {
        writer.record(record_of(i));
    }
    run_until(f.ioc, [&] { return f.stored() == 4; });
    EXPECT_EQ(f.stored(), 4);
    for (int i = 4; i < 7; ++i) {
        writer.record(record_of(i));
    }
    f.ioc.run_for(std::chrono::milliseconds(200));
    EXPECT_EQ(f.stored(), 4);
    EXPECT_EQ(writer.pending(), 3U);
    writer.record(record_of(7));
    run_until(f.ioc, [&] { return f.stored() == 8; });
    EXPECT_EQ(f.stored(), 8);
    EXPECT_EQ(writer.pending(), 0U);
    // Six records before the loop runs: one batch goes, two wait for the next.
    for (int i = 8; i < 14; ++i) {
        writer.record(record_of(i));
    }
    run_until(f.ioc, [&] { return f.stored() == 12; });
    EXPECT_EQ(f.stored(), 12);
    EXPECT_EQ(writer.pending(), 2U);
    EXPECT_EQ(requests_of(*f.db, 12), 0);
    EXPECT_EQ(requests_of(*f.db, 11), 1);
}

TEST(UsageWriter, AFailedBatchGoesBeforeTheNewerOnesEachInATransactionOfItsOwn) {
    flaky_writer f(2);
    usage_writer writer(*f.db, std::chrono::hours(1), 4);
    for (int i = 0; i < 8; ++i) {
        writer.record(record_of(i));
    }
    writer.start(f.ioc);
    run_until(f.ioc, [&] { return f.stored() == 4 && writer.pending() == 4; });
    ASSERT_EQ(f.stored(), 4);  // the second batch failed and waits
    for (int i = 8; i < 14; ++i) {
        writer.record(record_of(i));  // a full batch wakes the writer; two records wait
    }
    run_until(f.ioc, [&] { return f.stored() == 12; });
    EXPECT_EQ(f.stored(), 12);
    EXPECT_EQ(writer.pending(), 2U);
    const auto writes = f.db->run_sync([&f](storage::store&) { return f.store->first_of_write; });
    EXPECT_EQ(writes, (std::vector<std::string>{"req-0+4", "req-4+4", "req-4+4", "req-8+4"}));
}

TEST(UsageWriter, DropsTakeTheOldestAcrossBatches) {
    storage::db_executor db(storage::open_store(storage::testing::memory_config()));
    usage_writer writer(db, std::chrono::hours(1), 4, 10);
    for (int i = 0; i < 30; ++i) {
        writer.record(record_of(i));
        ASSERT_LE(writer.pending(), 10U);
    }
    EXPECT_EQ(writer.pending(), 10U);
    writer.flush();
    EXPECT_EQ(writer.pending(), 0U);
    for (int i = 0; i < 30; ++i) {
        EXPECT_EQ(requests_of(db, i), i >= 20 ? 1 : 0) << i;
    }
}

TEST(UsageWriter, AQueueFarBeyondItsBoundStaysWithinIt) {
    storage::db_executor db(storage::open_store(storage::testing::memory_config()));
    usage_writer writer(db, std::chrono::hours(1), 256, 1000);
    for (int i = 0; i < 50'000; ++i) {
        writer.record(record_of(i));
        ASSERT_LE(writer.pending(), 1000U);
    }
    writer.flush();
    EXPECT_EQ(requests_of(db, 49'999), 1);
    EXPECT_EQ(requests_of(db, 48'000), 0);
}

}  // namespace
}  // namespace hadrian::api
