#include <gtest/gtest.h>

#include "hadrian/storage/store.hpp"
#include "storage/sqlite/connection.hpp"
#include "storage/sqlite/migrations.hpp"
#include "temp_database.hpp"

namespace hadrian::storage {
namespace {

using testing::memory_config;
using testing::temp_database;

stored_response make_response(std::string id, std::optional<std::string> key) {
    stored_response r;
    r.id = std::move(id);
    r.api_key_id = std::move(key);
    r.model = "openai/gpt-4o-mini";
    r.provider = "openai";
    r.created_at = 1'741'476'542;
    r.context = R"([{"type":"message","role":"user","content":"Hi"}])";
    r.response = R"({"id":")" + r.id + R"(","object":"response","status":"completed"})";
    return r;
}

class ResponseStore : public ::testing::Test {
protected:
    std::unique_ptr<store> s_ = open_store(memory_config());
};

TEST_F(ResponseStore, PutThenGetReturnsEveryField) {
    auto r = make_response("resp_1", "key_a");
    r.previous_response_id = "resp_0";
    ASSERT_TRUE(s_->put_response(r).value());
    EXPECT_EQ(s_->get_response("resp_1", std::string("key_a")).value(), r);
    EXPECT_EQ(s_->get_response("resp_1", std::nullopt).value(), r);  // auth off: any owner
}

TEST_F(ResponseStore, NullOwnerAndNullPreviousRoundTrip) {
    const auto r = make_response("resp_anon", std::nullopt);
    ASSERT_TRUE(s_->put_response(r).value());
    const auto got = s_->get_response("resp_anon", std::nullopt).value();
    EXPECT_EQ(got, r);
    EXPECT_FALSE(got.api_key_id);
    EXPECT_FALSE(got.previous_response_id);
}

TEST_F(ResponseStore, AnotherKeysResponseIsNotFound) {
    ASSERT_TRUE(s_->put_response(make_response("resp_a", "key_a")).value());
    ASSERT_TRUE(s_->put_response(make_response("resp_anon", std::nullopt)).value());
    auto other = s_->get_response("resp_a", std::string("key_b"));
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error(), core::errc::not_found);
    // A key does not see responses stored without one either.
    auto anon = s_->get_response("resp_anon", std::string("key_a"));
    ASSERT_FALSE(anon);
    EXPECT_EQ(anon.error(), core::errc::not_found);
}

TEST_F(ResponseStore, UnknownIdIsNotFound) {
    auto r = s_->get_response("resp_nope", std::nullopt);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), core::errc::not_found);
}

TEST_F(ResponseStore, EmptyIdIsAValidationError) {
    auto r = make_response("", std::nullopt);
    EXPECT_EQ(s_->put_response(r).error(), core::errc::validation_error);
    EXPECT_EQ(s_->get_response("", std::nullopt).error(), core::errc::validation_error);
    EXPECT_EQ(s_->delete_response("", std::nullopt).error(), core::errc::validation_error);
}

TEST_F(ResponseStore, SameIdSameOwnerReplaces) {
    auto first = make_response("resp_1", "key_a");
    ASSERT_TRUE(s_->put_response(first).value());
    auto second = first;
    second.response = R"({"id":"resp_1","status":"incomplete"})";
    second.context = "[]";
    second.previous_response_id = "resp_0";
    ASSERT_TRUE(s_->put_response(second).value());
    EXPECT_EQ(s_->get_response("resp_1", std::nullopt).value(), second);
}

TEST_F(ResponseStore, SameIdOfAnotherOwnerIsNeverOverwritten) {
    const auto mine = make_response("resp_1", "key_a");
    ASSERT_TRUE(s_->put_response(mine).value());
    auto theirs = make_response("resp_1", "key_b");
    theirs.response = R"({"id":"resp_1","stolen":true})";
    EXPECT_FALSE(s_->put_response(theirs).value());
    auto anon = make_response("resp_1", std::nullopt);
    EXPECT_FALSE(s_->put_response(anon).value());
    EXPECT_EQ(s_->get_response("resp_1", std::nullopt).value(), mine);
    EXPECT_EQ(s_->get_response("resp_1", std::string("key_b")).error(), core::errc::not_found);
}

TEST_F(ResponseStore, DeleteRemovesOnlyThatResponse) {
    ASSERT_TRUE(s_->put_response(make_response("resp_1", "key_a")).value());
    ASSERT_TRUE(s_->put_response(make_response("resp_2", "key_a")).value());
    ASSERT_TRUE(s_->delete_response("resp_1", std::string("key_a")));
    EXPECT_EQ(s_->get_response("resp_1", std::nullopt).error(), core::errc::not_found);
    EXPECT_TRUE(s_->get_response("resp_2", std::nullopt));
    // Deleting again: gone.
    EXPECT_EQ(s_->delete_response("resp_1", std::string("key_a")).error(), core::errc::not_found);
}

TEST_F(ResponseStore, DeleteOfAnotherKeysResponseIsNotFoundAndKeepsIt) {
    ASSERT_TRUE(s_->put_response(make_response("resp_1", "key_a")).value());
    EXPECT_EQ(s_->delete_response("resp_1", std::string("key_b")).error(), core::errc::not_found);
    EXPECT_TRUE(s_->get_response("resp_1", std::string("key_a")));
    // Auth off deletes any.
    EXPECT_TRUE(s_->delete_response("resp_1", std::nullopt));
    EXPECT_EQ(s_->get_response("resp_1", std::nullopt).error(), core::errc::not_found);
}

TEST_F(ResponseStore, DeletingAResponseKeepsKeysAndUsage) {
    api_key_record key;
    key.name = "k";
    key.key_hash = std::string(64, 'a');
    key.key_prefix = "gw_live_aaaa";
    const auto created = s_->create_key(key).value();
    usage_record u;
    u.request_id = "req";
    u.api_key_id = created.id;
    u.model = "m";
    u.provider = "p";
    u.status = 200;
    u.created_at = 1;
    ASSERT_TRUE(s_->insert_usage(std::vector{u}));
    ASSERT_TRUE(s_->put_response(make_response("resp_1", created.id)).value());
    ASSERT_TRUE(s_->delete_response("resp_1", created.id));
    EXPECT_TRUE(s_->get_key(created.id));
    EXPECT_EQ(s_->usage_summary({}).value().requests, 1);
}

TEST_F(ResponseStore, TextIsStoredVerbatim) {
    auto r = make_response("resp_text", std::nullopt);
    r.context = std::string("[\"quote ' and \\u0000 and ünïcødé\"]");
    r.response = std::string(200'000, 'x');  // large values go through bound parameters
    ASSERT_TRUE(s_->put_response(r).value());
    EXPECT_EQ(s_->get_response("resp_text", std::nullopt).value(), r);
}

TEST(ResponseStoreFile, SurvivesReopening) {
    temp_database tmp;
    const auto r = make_response("resp_1", "key_a");
    {
        auto s = open_store(tmp.config());
        ASSERT_TRUE(s->put_response(r).value());
    }
    auto again = open_store(tmp.config());
    EXPECT_EQ(again->get_response("resp_1", std::string("key_a")).value(), r);
}

TEST(ResponseStoreSchema, MigrationTwoCreatesTheTableAndItsIndex) {
    const auto all = sqlite::embedded_migrations();
    ASSERT_GE(all.size(), 2u);
    EXPECT_EQ(all[1].version, 2);
    EXPECT_EQ(all[1].name, "responses");
    sqlite::connection db(":memory:");
    EXPECT_GE(sqlite::apply_migrations(db, all), 2);
    auto st = db.prepare(
        "SELECT COUNT(*) FROM sqlite_master WHERE (type = 'table' AND name = 'responses') OR "
        "(type = 'index' AND name = 'responses_by_key')");
    ASSERT_TRUE(st);
    ASSERT_TRUE(st->step().value());
    EXPECT_EQ(st->column_int(0), 2);
}

}  // namespace
}  // namespace hadrian::storage
