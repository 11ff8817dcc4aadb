/// Finding a short text in a longer one, 16 positions at a time: where a match may start is
/// told by its first and last bytes together, and only those places are compared whole. For
/// a key searched in every event of a stream (a few hundred bytes each), with no table to
/// build per call as memmem and a Boyer-Moore search have.
#pragma once

#include <string_view>

namespace hadrian::core {

/// The first occurrence of `needle` in [p, end), or `end` (`p` for an empty needle).
const char* find_text(const char* p, const char* end, std::string_view needle) noexcept;

}  // namespace hadrian::core
