#include "api/usage_writer.hpp"

#include <gtest/gtest.h>

#include <string>

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
