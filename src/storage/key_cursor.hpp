// The opaque cursor of store::list_keys, shared by every store implementation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hadrian::storage {

/// Position after the last key of a page (keys are ordered by created_at, then id).
struct key_cursor {
    std::int64_t created_at = 0;
    std::string id;
};

/// `c1` + hex of `<created_at>:<id>`: opaque to clients, versioned for us.
std::string encode_key_cursor(const key_cursor& c);

/// nullopt for anything encode_key_cursor cannot have produced.
std::optional<key_cursor> decode_key_cursor(std::string_view text);

}  // namespace hadrian::storage
