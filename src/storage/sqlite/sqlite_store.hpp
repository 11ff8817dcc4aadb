// The SQLite implementation of storage::store.
#pragma once

#include <string>

#include "hadrian/storage/store.hpp"
#include "storage/sqlite/connection.hpp"

namespace hadrian::storage::sqlite {

/// One connection, its prepared statements cached; the schema migrated on construction.
/// Thread safety: none (see store); db_executor gives it a thread of its own.
class sqlite_store final : public store {
public:
    /// Opens `path` (a file or `:memory:`) and applies the embedded migrations. Throws
    /// std::runtime_error (see connection and apply_migrations).
    explicit sqlite_store(const std::string& path);

    /// The schema version after migration.
    int schema_version() const noexcept { return schema_version_; }

    result<void> ping() override;

    result<api_key_record> create_key(api_key_record key) override;
    result<api_key_record> get_key(std::string_view id) override;
    result<api_key_record> find_key_by_hash(std::string_view key_hash) override;
    result<key_page> list_keys(std::uint32_t limit, std::string_view cursor) override;
    result<bool> revoke_key(std::string_view id, std::int64_t at) override;
    result<void> set_key_expiry(std::string_view id, std::optional<std::int64_t> at) override;
    result<void> set_rotated_to(std::string_view id, std::string_view new_id) override;
    result<api_key_record> rotate_key(std::string_view old_id, api_key_record replacement,
                                      std::int64_t old_expires_at) override;
    result<void> touch_last_used(std::string_view id, std::int64_t at) override;
    result<void> touch_last_used_many(const std::vector<key_touch>& touches) override;

    result<void> insert_usage(std::span<const usage_record> rows) override;
    result<usage_totals> usage_summary(const usage_filter& filter) override;
    result<std::vector<usage_group>> usage_by_model(const usage_filter& filter) override;
    result<std::vector<usage_group>> usage_by_date(const usage_filter& filter) override;
    result<std::vector<usage_group>> usage_by_api_key(const usage_filter& filter) override;

    result<std::int64_t> spend_since(std::string_view key_id, std::int64_t since_ms) override;
    result<std::map<std::string, std::int64_t>> spend_since_all(std::int64_t since_ms) override;

    result<bool> put_response(const stored_response& r) override;
    result<stored_response> get_response(std::string_view id,
                                         const std::optional<std::string>& owner) override;
    result<void> delete_response(std::string_view id,
                                 const std::optional<std::string>& owner) override;

private:
    result<api_key_record> insert_key(api_key_record key);
    result<api_key_record> select_one_key(std::string_view sql, std::string_view value);
    result<bool> key_exists(std::string_view id);
    result<std::vector<usage_group>> usage_grouped(std::string_view group_expr,
                                                   const usage_filter& filter);

    connection db_;
    int schema_version_ = 0;
};

}  // namespace hadrian::storage::sqlite
