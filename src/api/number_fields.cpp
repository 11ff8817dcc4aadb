#include "hadrian/api/number_fields.hpp"

#include <charconv>
#include <limits>

namespace hadrian::api {

void number_fields::add(std::string_view static_name, std::int64_t value) noexcept {
    if (size_ == capacity || static_name.size() > std::numeric_limits<std::uint8_t>::max()) {
        return;
    }
    names_[size_] = static_name.data();
    name_sizes_[size_] = static_cast<std::uint8_t>(static_name.size());
    values_[size_] = value;
    ++size_;
}

std::string_view number_fields::text(std::size_t i, text_buffer& out) const noexcept {
    const char* const end = std::to_chars(out.data(), out.data() + out.size(), values_[i]).ptr;
    return {out.data(), static_cast<std::size_t>(end - out.data())};
}

}  // namespace hadrian::api
