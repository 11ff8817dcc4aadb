/// Hexadecimal digits, as percent-encoding and chunk sizes write them.
#pragma once

namespace hadrian::core {

/// The value of the hex digit `c` (either case), or -1 when it is not one.
constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

}  // namespace hadrian::core
