/// Incremental decoder of the binary AWS event-stream framing
/// (`application/vnd.amazon.eventstream`, used by Bedrock ConverseStream). Pure: bytes in, messages
/// out.
///
/// A message is: a 12-byte prelude (total length u32, headers length u32, CRC32 of those 8
/// bytes), the headers (name length u8, name, value type u8, value), the payload, and a CRC32
/// of everything before it. Integers are big-endian; CRC32 is the zlib / IEEE one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hadrian::providers::aws_eventstream {

/// Header value types of the framing.
enum class value_type : std::uint8_t {
    bool_true = 0,
    bool_false = 1,
    byte = 2,
    int16 = 3,
    int32 = 4,
    int64 = 5,
    byte_array = 6,
    string = 7,
    timestamp = 8,
    uuid = 9,
};

struct header {
    std::string name;
    value_type type = value_type::string;
    std::string value;  // string and byte array: the bytes; other types: the raw big-endian bytes
};

struct message {
    std::vector<header> headers;
    std::string payload;

    /// The value of the first string header called `name` (`:event-type`, …), if any.
    std::optional<std::string_view> string_header(std::string_view name) const;
};

/// CRC32 (IEEE 802.3, as zlib's crc32) of `data`, continuing from `crc` (0 to start).
std::uint32_t crc32(std::string_view data, std::uint32_t crc = 0);

/// Default bound on one message (prelude to message CRC).
inline constexpr std::size_t default_max_message_bytes = 16 * 1024 * 1024;

/// Feed bytes split anywhere; complete messages are appended to `out`. Both CRCs are
/// verified, the prelude's before any of the rest is awaited, so a corrupt length is never
/// trusted. After an error the decoder stays failed.
/// Thread safety: none (one decoder per stream).
class decoder {
public:
    explicit decoder(std::size_t max_message_bytes = default_max_message_bytes);

    /// False (with error() set) on a corrupt or oversized message.
    bool feed(std::string_view bytes, std::vector<message>& out);

    /// Why feed() failed; empty while it has not.
    const std::string& error() const noexcept { return error_; }

    /// Bytes held of a message not complete yet (a stream that ends here was truncated).
    bool has_partial_message() const noexcept { return !buffer_.empty(); }

private:
    bool fail(std::string why);
    bool parse_message(std::string_view frame, std::uint32_t headers_length, message& out);

    std::size_t max_message_bytes_;
    std::string buffer_;
    std::size_t expected_ = 0;  // total length of the message being read, once its prelude is
                                // verified
    std::string error_;
};

}  // namespace hadrian::providers::aws_eventstream
