#include "hadrian/api/number_fields.hpp"

#include <charconv>

namespace hadrian::api {

void number_fields::add(std::string_view static_name, std::int64_t value) noexcept {
    if (size_ == capacity) {
        return;
    }
    field& f = fields_[size_++];
    f.name = static_name;
    const auto end = std::to_chars(f.text.data(), f.text.data() + f.text.size(), value).ptr;
    f.size = static_cast<std::uint8_t>(end - f.text.data());
}

}  // namespace hadrian::api
