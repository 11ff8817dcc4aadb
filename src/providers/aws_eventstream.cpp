#include "aws_eventstream.hpp"

#include <algorithm>
#include <array>

namespace hadrian::providers::aws_eventstream {

namespace {

constexpr std::size_t prelude_bytes = 12;
constexpr std::size_t crc_bytes = 4;
constexpr std::size_t min_message_bytes = prelude_bytes + crc_bytes;

constexpr std::array<std::uint32_t, 256> make_crc_table() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) {
            c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
        }
        table[i] = c;
    }
    return table;
}

constexpr auto crc_table = make_crc_table();

std::uint32_t read_u32(std::string_view s, std::size_t at) {
    return (std::uint32_t{static_cast<unsigned char>(s[at])} << 24) |
           (std::uint32_t{static_cast<unsigned char>(s[at + 1])} << 16) |
           (std::uint32_t{static_cast<unsigned char>(s[at + 2])} << 8) |
           std::uint32_t{static_cast<unsigned char>(s[at + 3])};
}

std::uint16_t read_u16(std::string_view s, std::size_t at) {
    return static_cast<std::uint16_t>((static_cast<unsigned char>(s[at]) << 8) |
                                      static_cast<unsigned char>(s[at + 1]));
}

/// Size of a fixed-size value, or 0 for the length-prefixed types (and -1 for unknown ones).
int fixed_size(value_type t) {
    switch (t) {
        case value_type::bool_true:
        case value_type::bool_false:
            return 0;
        case value_type::byte:
            return 1;
        case value_type::int16:
            return 2;
        case value_type::int32:
            return 4;
        case value_type::int64:
        case value_type::timestamp:
            return 8;
        case value_type::uuid:
            return 16;
        case value_type::byte_array:
        case value_type::string:
            return 0;
    }
    return -1;
}

}  // namespace

std::optional<std::string_view> message::string_header(std::string_view name) const {
    for (const auto& h : headers) {
        if (h.name == name && h.type == value_type::string) {
            return std::string_view(h.value);
        }
    }
    return std::nullopt;
}

std::uint32_t crc32(std::string_view data, std::uint32_t crc) {
    crc = ~crc;
    for (char ch : data) {
        crc = crc_table[(crc ^ static_cast<unsigned char>(ch)) & 0xffU] ^ (crc >> 8);
    }
    return ~crc;
}

decoder::decoder(std::size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

bool decoder::fail(std::string why) {
    error_ = "event stream: " + std::move(why);
    buffer_.clear();
    return false;
}

bool decoder::feed(std::string_view bytes, std::vector<message>& out) {
    if (!error_.empty()) {
        return false;
    }
    while (!bytes.empty()) {
        // Take only what the current message needs, so a huge read never grows the buffer
        // beyond one message.
        const std::size_t want = (expected_ == 0 ? prelude_bytes : expected_) - buffer_.size();
        const std::size_t take = std::min(want, bytes.size());
        buffer_.append(bytes.substr(0, take));
        bytes.remove_prefix(take);
        if (buffer_.size() < (expected_ == 0 ? prelude_bytes : expected_)) {
            continue;
        }
        if (expected_ == 0) {
            const std::uint32_t total = read_u32(buffer_, 0);
            const std::uint32_t headers_length = read_u32(buffer_, 4);
            if (crc32(std::string_view(buffer_).substr(0, 8)) != read_u32(buffer_, 8)) {
                return fail("prelude checksum mismatch");
            }
            if (total < min_message_bytes || total > max_message_bytes_) {
                return fail("message length " + std::to_string(total) + " out of bounds");
            }
            if (headers_length > total - min_message_bytes) {
                return fail("headers length exceeds the message");
            }
            expected_ = total;
            continue;
        }
        const std::string_view frame(buffer_);
        if (crc32(frame.substr(0, frame.size() - crc_bytes)) !=
            read_u32(frame, frame.size() - crc_bytes)) {
            return fail("message checksum mismatch");
        }
        message m;
        if (!parse_message(frame, read_u32(frame, 4), m)) {
            return false;
        }
        out.push_back(std::move(m));
        buffer_.clear();
        expected_ = 0;
    }
    return true;
}

bool decoder::parse_message(std::string_view frame, std::uint32_t headers_length, message& out) {
    std::string_view hs = frame.substr(prelude_bytes, headers_length);
    while (!hs.empty()) {
        const std::size_t name_length = static_cast<unsigned char>(hs[0]);
        if (name_length == 0 || hs.size() < 1 + name_length + 1) {
            return fail("malformed header");
        }
        header h;
        h.name = std::string(hs.substr(1, name_length));
        h.type = static_cast<value_type>(static_cast<unsigned char>(hs[1 + name_length]));
        hs.remove_prefix(1 + name_length + 1);
        const int size = fixed_size(h.type);
        if (size < 0) {
            return fail("unknown header value type " + std::to_string(static_cast<int>(h.type)));
        }
        std::size_t value_length = static_cast<std::size_t>(size);
        if (h.type == value_type::string || h.type == value_type::byte_array) {
            if (hs.size() < 2) {
                return fail("malformed header");
            }
            value_length = read_u16(hs, 0);
            hs.remove_prefix(2);
        }
        if (hs.size() < value_length) {
            return fail("malformed header");
        }
        h.value = std::string(hs.substr(0, value_length));
        hs.remove_prefix(value_length);
        out.headers.push_back(std::move(h));
    }
    const std::size_t payload_at = prelude_bytes + headers_length;
    out.payload = std::string(frame.substr(payload_at, frame.size() - crc_bytes - payload_at));
    return true;
}

}  // namespace hadrian::providers::aws_eventstream
