/// The header fields of a message, in one buffer and a table of offsets.
///
/// A message has a handful of fields: a scan of a small table finds one faster than a tree,
/// and the table costs no allocation per field (Beast's `fields` allocates a node for each and
/// keeps them ordered). Each field keeps a key of its name (field_name_key): a lookup compares
/// names in full only where the keys match, and no field's name is looked up in Beast's table
/// of known names as it is added. Cleared, it keeps its buffers for the connection's next
/// message.
#pragma once

#include <boost/beast/http/field.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hadrian/core/asio.hpp"

namespace hadrian::core {

/// A field name's length and three of its bytes, folded toward lower case: names
/// that differ in it differ, so only names with the same key need comparing in full.
constexpr std::uint64_t field_name_key(std::string_view name) noexcept {
    if (name.empty()) {
        return 0;
    }
    const auto byte = [name](std::size_t i) {
        return static_cast<std::uint64_t>(static_cast<unsigned char>(name[i]) | 0x20U);
    };
    return name.size() | byte(name.size() - 1) << 16 | byte(name.size() / 2) << 24 |
           byte(name.size() / 3) << 32;
}

class header_fields {
public:
    /// The value of the first field `f`, or empty when there is none.
    std::string_view operator[](http::field f) const noexcept;
    /// The value of the first field named `name` (in any case), or empty when there is none.
    std::string_view operator[](std::string_view name) const noexcept;
    /// Whether a field named `name` (in any case) is present, empty or not.
    bool contains(std::string_view name) const noexcept;
    std::size_t size() const noexcept { return fields_.size(); }

    /// Adds a field; `name` is not empty.
    void add(std::string_view name, std::string_view value);
    void clear() noexcept;

private:
    struct field_ref {
        std::uint64_t key;  // field_name_key() of the name
        std::uint32_t name_at;
        std::uint32_t name_size;
        std::uint32_t value_at;
        std::uint32_t value_size;
    };
    std::string_view text(std::uint32_t at, std::uint32_t size) const noexcept {
        return std::string_view(text_).substr(at, size);
    }
    /// The first field named `name`, or null.
    const field_ref* find(std::string_view name) const noexcept;

    std::string text_;  // each field's name and value, back to back
    std::vector<field_ref> fields_;
};

}  // namespace hadrian::core
