/// The header fields of a message, in one buffer and a table of offsets.
///
/// A message has a handful of fields: a scan of a small table finds one faster than a tree,
/// and the table costs no allocation per field (Beast's `fields` allocates a node for each and
/// keeps them ordered). Cleared, it keeps its buffers for the connection's next message.
#pragma once

#include <boost/beast/http/field.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hadrian/core/asio.hpp"

namespace hadrian::core {

class header_fields {
public:
    /// The value of the first field `f`, or empty when there is none.
    std::string_view operator[](http::field f) const noexcept;
    /// The value of the first field named `name` (in any case), or empty when there is none.
    std::string_view operator[](std::string_view name) const noexcept;
    /// Whether a field named `name` (in any case) is present, empty or not.
    bool contains(std::string_view name) const noexcept;
    std::size_t size() const noexcept { return fields_.size(); }

    /// Adds a field; `f` is what Beast's string_to_field makes of `name`.
    void add(http::field f, std::string_view name, std::string_view value);
    void add(std::string_view name, std::string_view value);
    void clear() noexcept;

private:
    struct field_ref {
        http::field id;
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
