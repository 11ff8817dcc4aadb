#include "hadrian/core/header_fields.hpp"

#include "hadrian/core/ascii_case.hpp"

namespace hadrian::core {

namespace {

std::uint32_t size32(std::size_t n) { return static_cast<std::uint32_t>(n); }

/// The most bytes between a name and its value that are copied with them rather than skipped.
constexpr std::uintptr_t max_gap = 8;

}  // namespace

std::string_view header_fields::operator[](http::field f) const noexcept {
    return (*this)[http::to_string(f)];
}

const header_fields::field_ref* header_fields::find(std::string_view name) const noexcept {
    if (name.empty()) {
        return nullptr;
    }
    const std::uint64_t key = field_name_key(name);
    for (const field_ref& r : fields_) {
        if (r.key == key && core::iequals(text(r.name_at, r.name_size), name)) {
            return &r;
        }
    }
    return nullptr;
}

std::string_view header_fields::operator[](std::string_view name) const noexcept {
    const field_ref* r = find(name);
    return r != nullptr ? text(r->value_at, r->value_size) : std::string_view{};
}

bool header_fields::contains(std::string_view name) const noexcept { return find(name) != nullptr; }

void header_fields::add(std::string_view name, std::string_view value) {
    if (fields_.capacity() == 0) {
        // What a usual head needs, at once rather than by doublings.
        fields_.reserve(16);
        text_.reserve(512);
    }
    // The parsers' header limit (under 4 GiB) bounds every offset kept in 32 bits.
    const std::size_t name_at = text_.size();
    std::size_t value_at = 0;
    const auto name_end = reinterpret_cast<std::uintptr_t>(name.data() + name.size());
    const auto value_start = reinterpret_cast<std::uintptr_t>(value.data());
    if (value_start >= name_end && value_start - name_end <= max_gap) {
        // A field line as received: name, colon, spaces and value copied in one piece.
        value_at = name_at + name.size() + (value_start - name_end);
        text_.append(name.data(), value_at - name_at + value.size());
    } else {
        value_at = name_at + name.size();
        text_.append(name).append(value);
    }
    fields_.push_back(field_ref{field_name_key(name), size32(name_at), size32(name.size()),
                                size32(value_at), size32(value.size())});
}

void header_fields::clear() noexcept {
    text_.clear();
    fields_.clear();
}

}  // namespace hadrian::core
