/// Text written at a cursor into room sized beforehand (a head, a log line): one copy per
/// piece, no growth checks.
#pragma once

#include <cstring>
#include <string_view>

namespace hadrian::core {

/// Copies `piece` to `at` and moves `at` past it.
inline void put_text(char*& at, std::string_view piece) noexcept {
    if (!piece.empty()) {  // an empty view may have no data at all
        std::memcpy(at, piece.data(), piece.size());
        at += piece.size();
    }
}

}  // namespace hadrian::core
