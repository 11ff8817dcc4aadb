#include <gtest/gtest.h>

#include <set>

#include "hadrian/storage/store.hpp"
#include "storage/key_cursor.hpp"
#include "temp_database.hpp"

namespace hadrian::storage {
namespace {

using testing::memory_config;
using testing::temp_database;

api_key_record full_key() {
    api_key_record k;
    k.id = "key_0123456789abcdefghjkmnpqrs";
    k.name = "ci runner";
    k.key_hash = std::string(64, 'a');
    k.key_prefix = "gw_live_abcd";
    k.scopes = {"chat", "models"};
    k.allowed_models = {"openai/gpt-4o", "anthropic/*"};
    k.ip_allowlist = {"10.0.0.0/8", "2001:db8::/32"};
    k.expires_at = 1'900'000'000;
    k.rate_limit_rpm = 60;
    k.rate_limit_rpd = 10'000;
    k.rate_limit_tpm = 100'000;
    k.rate_limit_tpd = 5'000'000'000ULL;
    k.concurrent_requests = 4;
    k.budget_limit_cents = 2'500;
    k.budget_period = "monthly";
    k.created_at = 1'700'000'000;
    k.revoked_at = 1'750'000'000;
    k.last_used_at = 1'740'000'000;
    k.rotated_to = std::nullopt;
    return k;
}

api_key_record minimal_key(std::string hash, std::int64_t created_at = 0) {
    api_key_record k;
    k.name = "k";
    k.key_hash = std::move(hash);
    k.key_prefix = "gw_live_";
    k.created_at = created_at;
    return k;
}

class KeyStore : public ::testing::Test {
protected:
    std::unique_ptr<store> s_ = open_store(memory_config());
};

TEST_F(KeyStore, EveryFieldRoundTrips) {
    auto target = s_->create_key(minimal_key("target-hash", 5));
    ASSERT_TRUE(target);
    auto key = full_key();
    key.rotated_to = target->id;
    auto created = s_->create_key(key);
    ASSERT_TRUE(created);
    EXPECT_EQ(*created, key);
    auto loaded = s_->get_key(key.id);
    ASSERT_TRUE(loaded);
    EXPECT_EQ(*loaded, key);
    auto by_hash = s_->find_key_by_hash(key.key_hash);
    ASSERT_TRUE(by_hash);
    EXPECT_EQ(*by_hash, key);
}

TEST_F(KeyStore, AbsentOptionalsStayAbsent) {
    auto created = s_->create_key(minimal_key("h1"));
    ASSERT_TRUE(created);
    auto loaded = s_->get_key(created->id).value();
    EXPECT_EQ(loaded, *created);
    EXPECT_FALSE(loaded.expires_at || loaded.rate_limit_rpm || loaded.rate_limit_tpd ||
                 loaded.budget_period || loaded.revoked_at || loaded.last_used_at ||
                 loaded.rotated_to);
    EXPECT_TRUE(loaded.scopes.empty());
}

TEST_F(KeyStore, GeneratesIdAndCreationTime) {
    auto a = s_->create_key(minimal_key("h1")).value();
    auto b = s_->create_key(minimal_key("h2")).value();
    EXPECT_EQ(a.id.size(), 4u + 26u);
    EXPECT_TRUE(a.id.starts_with("key_"));
    EXPECT_EQ(a.id.find_first_not_of("0123456789abcdefghjkmnpqrstvwxyz", 4), std::string::npos);
    EXPECT_NE(a.id, b.id);
    EXPECT_GT(a.created_at, 1'600'000'000);
}

TEST_F(KeyStore, MissingKeysAndDuplicates) {
    EXPECT_EQ(s_->get_key("key_missing").error(), core::errc::not_found);
    EXPECT_EQ(s_->find_key_by_hash("nope").error(), core::errc::not_found);
    ASSERT_TRUE(s_->create_key(minimal_key("dup")));
    EXPECT_EQ(s_->create_key(minimal_key("dup")).error(), core::errc::internal_error);
    EXPECT_EQ(s_->create_key(minimal_key("")).error(), core::errc::validation_error);
}

TEST_F(KeyStore, SqlLookingValuesAreStoredVerbatim) {
    auto key = minimal_key("x'); DROP TABLE api_keys;--");
    key.name = "x'); DROP TABLE api_keys;--";
    key.scopes = {"\"]", "'; DELETE FROM usage_records; --"};
    key.budget_period = "daily' OR '1'='1";
    auto created = s_->create_key(key).value();
    EXPECT_EQ(s_->get_key(created.id).value(), created);
    EXPECT_EQ(s_->find_key_by_hash("x'); DROP TABLE api_keys;--").value().name, key.name);
    EXPECT_EQ(s_->get_key("' OR '1'='1").error(), core::errc::not_found);
    EXPECT_EQ(s_->list_keys(10, "").value().rows.size(), 1u);
}

TEST_F(KeyStore, RevokeIsIdempotentAndKeepsTheFirstTime) {
    auto k = s_->create_key(minimal_key("h")).value();
    EXPECT_TRUE(s_->revoke_key(k.id, 100).value());
    EXPECT_FALSE(s_->revoke_key(k.id, 200).value());
    EXPECT_EQ(s_->get_key(k.id).value().revoked_at, 100);
    // Revoked keys are still found by hash: the caller decides.
    EXPECT_EQ(s_->find_key_by_hash("h").value().revoked_at, 100);
    EXPECT_EQ(s_->revoke_key("key_missing", 1).error(), core::errc::not_found);
}

TEST_F(KeyStore, ExpiryAndRotationTarget) {
    auto old_key = s_->create_key(minimal_key("old")).value();
    auto new_key = s_->create_key(minimal_key("new")).value();
    ASSERT_TRUE(s_->set_key_expiry(old_key.id, 1234));
    EXPECT_EQ(s_->get_key(old_key.id).value().expires_at, 1234);
    ASSERT_TRUE(s_->set_key_expiry(old_key.id, std::nullopt));
    EXPECT_EQ(s_->get_key(old_key.id).value().expires_at, std::nullopt);
    ASSERT_TRUE(s_->set_rotated_to(old_key.id, new_key.id));
    EXPECT_EQ(s_->get_key(old_key.id).value().rotated_to, new_key.id);
    EXPECT_EQ(s_->set_key_expiry("key_missing", 1).error(), core::errc::not_found);
    EXPECT_EQ(s_->set_rotated_to("key_missing", new_key.id).error(), core::errc::not_found);
    EXPECT_EQ(s_->set_rotated_to(old_key.id, "key_missing").error(), core::errc::not_found);
}

TEST_F(KeyStore, RotateKeyIsAtomic) {
    auto old_key = s_->create_key(minimal_key("old")).value();
    auto fresh = s_->rotate_key(old_key.id, minimal_key("new"), 5000).value();
    auto old_after = s_->get_key(old_key.id).value();
    EXPECT_EQ(old_after.rotated_to, fresh.id);
    EXPECT_EQ(old_after.expires_at, 5000);
    EXPECT_EQ(s_->find_key_by_hash("new").value().id, fresh.id);
    // An earlier expiry is kept.
    ASSERT_TRUE(s_->set_key_expiry(fresh.id, 100));
    auto third = s_->rotate_key(fresh.id, minimal_key("third"), 5000).value();
    EXPECT_EQ(s_->get_key(fresh.id).value().expires_at, 100);
    EXPECT_EQ(s_->get_key(fresh.id).value().rotated_to, third.id);
    // Unknown old key, or a clashing new hash: nothing is written.
    EXPECT_EQ(s_->rotate_key("key_missing", minimal_key("h4"), 1).error(), core::errc::not_found);
    EXPECT_EQ(s_->find_key_by_hash("h4").error(), core::errc::not_found);
    EXPECT_FALSE(s_->rotate_key(third.id, minimal_key("old"), 1));
    EXPECT_EQ(s_->get_key(third.id).value().rotated_to, std::nullopt);
}

TEST_F(KeyStore, TouchLastUsedOnlyMovesForward) {
    auto k = s_->create_key(minimal_key("h")).value();
    ASSERT_TRUE(s_->touch_last_used(k.id, 50));
    ASSERT_TRUE(s_->touch_last_used(k.id, 40));
    EXPECT_EQ(s_->get_key(k.id).value().last_used_at, 50);
    EXPECT_EQ(s_->touch_last_used("key_missing", 1).error(), core::errc::not_found);
    auto k2 = s_->create_key(minimal_key("h2")).value();
    ASSERT_TRUE(s_->touch_last_used_many({{k.id, 70}, {k2.id, 60}, {"key_missing", 1}}));
    EXPECT_EQ(s_->get_key(k.id).value().last_used_at, 70);
    EXPECT_EQ(s_->get_key(k2.id).value().last_used_at, 60);
    EXPECT_TRUE(s_->touch_last_used_many({}));
}

TEST_F(KeyStore, PaginationVisitsEveryKeyOnce) {
    std::set<std::string> ids;
    for (int i = 0; i < 250; ++i) {
        // Many keys share a second: the id breaks the tie.
        auto k = s_->create_key(minimal_key("hash" + std::to_string(i), 1000 + i / 7)).value();
        ids.insert(k.id);
    }
    std::set<std::string> seen;
    std::string cursor;
    int pages = 0;
    std::pair<std::int64_t, std::string> previous{INT64_MAX, ""};
    for (;;) {
        auto page = s_->list_keys(100, cursor);
        ASSERT_TRUE(page);
        ++pages;
        for (const auto& k : page->rows) {
            EXPECT_TRUE(seen.insert(k.id).second) << "duplicate " << k.id;
            const std::pair<std::int64_t, std::string> position{k.created_at, k.id};
            if (!previous.second.empty()) {
                EXPECT_LT(position, previous) << "not newest first";
            }
            previous = position;
        }
        EXPECT_EQ(page->has_more, page->next_cursor.has_value());
        if (!page->has_more) {
            EXPECT_EQ(page->rows.size(), 50u);
            break;
        }
        EXPECT_EQ(page->rows.size(), 100u);
        cursor = *page->next_cursor;
        ASSERT_LE(pages, 3);
    }
    EXPECT_EQ(pages, 3);
    EXPECT_EQ(seen, ids);
}

TEST_F(KeyStore, ExactlyFullPageHasNoMore) {
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(s_->create_key(minimal_key("h" + std::to_string(i), 10)));
    }
    auto page = s_->list_keys(3, "").value();
    EXPECT_EQ(page.rows.size(), 3u);
    EXPECT_FALSE(page.has_more);
    EXPECT_FALSE(page.next_cursor);
    EXPECT_TRUE(s_->list_keys(1000, "").value().rows.size() == 3);
}

TEST_F(KeyStore, BadLimitOrCursorIsAValidationError) {
    EXPECT_EQ(s_->list_keys(0, "").error(), core::errc::validation_error);
    EXPECT_EQ(s_->list_keys(1001, "").error(), core::errc::validation_error);
    for (const char* garbage :
         {"garbage", "c1", "c1zz", "c13a", "c1313a", "c13a6b", "c2313a6b", "' OR 1=1 --"}) {
        EXPECT_EQ(s_->list_keys(10, garbage).error(), core::errc::validation_error) << garbage;
    }
}

TEST(KeyCursor, RoundTripsAndRejectsGarbage) {
    const key_cursor c{-5, "key_x:y"};
    const auto text = encode_key_cursor(c);
    auto back = decode_key_cursor(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->created_at, -5);
    EXPECT_EQ(back->id, "key_x:y");
    EXPECT_FALSE(decode_key_cursor(""));
    EXPECT_FALSE(decode_key_cursor(text.substr(0, text.size() - 1)));
    EXPECT_FALSE(decode_key_cursor("c1" + std::string("3a") + "6b"));  // ":k", no time
    EXPECT_FALSE(decode_key_cursor("c1" + std::string("31") + "3a"));  // "1:", no id
}

TEST(KeyJson, HasTheApiFieldsAndNeverTheHash) {
    const auto j = to_json(full_key());
    EXPECT_FALSE(j.contains("key_hash"));
    EXPECT_FALSE(j.contains("key"));
    for (const char* field :
         {"id", "name", "key_prefix", "scopes", "allowed_models", "ip_allowlist", "expires_at",
          "rate_limit_rpm", "rate_limit_rpd", "rate_limit_tpm", "rate_limit_tpd",
          "concurrent_requests", "budget_limit_cents", "budget_period", "created_at", "revoked_at",
          "last_used_at"}) {
        EXPECT_TRUE(j.contains(field)) << field;
    }
    EXPECT_EQ(j["rate_limit_tpd"], 5'000'000'000ULL);
    EXPECT_EQ(j["budget_period"], "monthly");
    EXPECT_EQ(j["scopes"], nlohmann::json({"chat", "models"}));
    EXPECT_TRUE(to_json(minimal_key("h"))["expires_at"].is_null());
}

TEST(KeyPersistence, KeysSurviveReopen) {
    temp_database tmp;
    const auto key = full_key();
    {
        auto s = open_store(tmp.config());
        ASSERT_TRUE(s->create_key(key));
    }
    auto s = open_store(tmp.config());
    EXPECT_EQ(s->get_key(key.id).value(), key);
    EXPECT_TRUE(s->ping());
}

}  // namespace
}  // namespace hadrian::storage
