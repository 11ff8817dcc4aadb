// Mapping between api_key_record and a row of the api_keys table.
#pragma once

#include <optional>
#include <string_view>

#include "hadrian/core/asio.hpp"
#include "hadrian/storage/records.hpp"
#include "storage/sqlite/statement.hpp"

namespace hadrian::storage::sqlite {

/// Every column of api_keys, comma separated, in the order bind_key and read_key use.
std::string_view key_columns();

/// Binds all fields of `key` to parameters 1..19, in key_columns() order. Lists are stored
/// as JSON arrays; unsigned limits above the int64 range are stored clamped.
void bind_key(statement& st, const api_key_record& key);

/// The key in the current row of a `SELECT <key_columns()>`. internal_error (logged) when a
/// stored list is not a JSON string array.
result<api_key_record> read_key(const statement& st);

/// Binds an optional unix time: NULL when absent.
void bind_optional_time(statement& st, int index, std::optional<std::int64_t> at);

}  // namespace hadrian::storage::sqlite
