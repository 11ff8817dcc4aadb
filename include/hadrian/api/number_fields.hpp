// Response header fields whose values are numbers, kept inline.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hadrian::api {

/// Header fields with static names and integer values (a request's rate-limit state, its
/// token counts and cost): adding one allocates and formats nothing, and an empty set writes
/// one byte (it lives in every request's context). The names must be static text of at most
/// 255 characters; fields beyond `capacity` are left out.
class number_fields {
public:
    static constexpr std::size_t capacity = 12;
    /// Room for any value's decimal text (INT64_MIN has 20 characters).
    using text_buffer = std::array<char, 20>;

    void add(std::string_view static_name, std::int64_t value) noexcept;

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    std::string_view name(std::size_t i) const noexcept { return {names_[i], name_sizes_[i]}; }
    std::int64_t value(std::size_t i) const noexcept { return values_[i]; }
    /// The decimal text of value(i), written into `out`.
    std::string_view text(std::size_t i, text_buffer& out) const noexcept;

private:
    // Left uninitialized: only the first size_ entries are ever read.
    std::array<const char*, capacity> names_;
    std::array<std::int64_t, capacity> values_;
    std::array<std::uint8_t, capacity> name_sizes_;
    std::uint8_t size_ = 0;
};

}  // namespace hadrian::api
