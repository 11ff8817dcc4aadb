// Response header fields whose values are numbers, kept inline.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hadrian::api {

/// Header fields with static names and integer values (a request's rate-limit state, its
/// token counts and cost): adding one allocates nothing. The names must be static text; fields
/// beyond `capacity` are left out.
class number_fields {
public:
    static constexpr std::size_t capacity = 12;

    void add(std::string_view static_name, std::int64_t value) noexcept;

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    std::string_view name(std::size_t i) const noexcept { return fields_[i].name; }
    std::string_view value(std::size_t i) const noexcept {
        return {fields_[i].text.data(), fields_[i].size};
    }

private:
    struct field {
        std::string_view name;
        std::array<char, 20> text;  // INT64_MIN has 20 characters
        std::uint8_t size;
    };
    std::array<field, capacity> fields_;
    std::size_t size_ = 0;
};

}  // namespace hadrian::api
