/// Finding a line break ('\r' or '\n') in text headed for a line-based format (an HTTP head,
/// an SSE event). `find_first_of("\r\n")` calls memchr once per byte of the text; two memchr
/// passes look at each byte once or twice, and such text rarely holds either character.
#pragma once

#include <cstring>
#include <string_view>

namespace hadrian::core {

/// The index of the first '\r' or '\n' in `s`, or npos.
inline std::size_t find_line_break(std::string_view s) noexcept {
    if (s.empty()) {
        return std::string_view::npos;  // memchr must not see a null pointer
    }
    const void* nl = std::memchr(s.data(), '\n', s.size());
    const std::size_t limit =
        nl != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nl) - s.data())
                      : s.size();
    if (const void* cr = std::memchr(s.data(), '\r', limit); cr != nullptr) {
        return static_cast<std::size_t>(static_cast<const char*>(cr) - s.data());
    }
    return nl != nullptr ? limit : std::string_view::npos;
}

inline bool has_line_break(std::string_view s) noexcept {
    return find_line_break(s) != std::string_view::npos;
}

}  // namespace hadrian::core
