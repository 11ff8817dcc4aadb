/// Non-blocking I/O done in part: whether an attempt would have blocked, and what a partial
/// write left to write.
#pragma once

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <cstddef>
#include <span>

#include "hadrian/core/asio.hpp"

namespace hadrian::core {

/// A non-blocking read or write found nothing to read / no room: wait, it is not an error.
inline bool would_block(const error_code& ec) noexcept {
    return ec == asio::error::would_block || ec == asio::error::try_again;
}

/// The bytes of up to four buffers after the first `done` of them (a write that took part).
struct unwritten {
    std::array<asio::const_buffer, 4> bufs{};
    std::size_t count = 0;

    unwritten(std::span<const asio::const_buffer> all, std::size_t done) {
        for (const auto& b : all) {
            if (done >= b.size()) {
                done -= b.size();
                continue;
            }
            if (count < bufs.size()) {
                bufs[count++] =
                    asio::buffer(static_cast<const char*>(b.data()) + done, b.size() - done);
            }
            done = 0;
        }
    }

    std::span<const asio::const_buffer> span() const noexcept { return {bufs.data(), count}; }
};

}  // namespace hadrian::core
