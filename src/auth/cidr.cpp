#include "hadrian/auth/cidr.hpp"

#include <array>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>
#include <cstdint>

#include "hadrian/core/error.hpp"

namespace hadrian::auth {
namespace {

namespace ip = boost::asio::ip;

using v6_bytes = ip::address_v6::bytes_type;

/// Longest text `make_address` is given: a full IPv6 address with an embedded IPv4 tail is
/// 45 characters. Longer input is rejected before any allocation.
constexpr std::size_t max_address_chars = 45;

/// Characters that may appear in a CIDR. Everything else (whitespace, signs, a zone's `%`)
/// is rejected up front, so the address parser never sees it.
bool cidr_char(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' ||
           c == ':' || c == '/';
}

/// A plain IP address (no zone, no port, no brackets), or nullopt.
std::optional<ip::address> parse_address(std::string_view text) noexcept {
    if (text.empty() || text.size() > max_address_chars) {
        return std::nullopt;
    }
    for (char c : text) {
        if (!cidr_char(c) || c == '/') {
            return std::nullopt;
        }
    }
    // A NUL-terminated copy on the stack: the string overloads would allocate.
    std::array<char, max_address_chars + 1> buffer{};
    text.copy(buffer.data(), text.size());
    error_code ec;
    const ip::address address = ip::make_address(buffer.data(), ec);
    if (ec) {
        return std::nullopt;
    }
    return address;
}

/// Decimal 0..999 without sign or leading zero; nullopt otherwise.
std::optional<unsigned> parse_prefix(std::string_view text) noexcept {
    if (text.empty() || text.size() > 3 || (text.size() > 1 && text.front() == '0')) {
        return std::nullopt;
    }
    unsigned value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    return value;
}

std::uint32_t v4_mask(unsigned prefix) noexcept {
    return prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
}

/// Clear every bit of `bytes` below the first `prefix` bits.
v6_bytes mask_v6(v6_bytes bytes, unsigned prefix) noexcept {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const unsigned bit = static_cast<unsigned>(i) * 8;
        if (prefix <= bit) {
            bytes[i] = 0;
        } else if (prefix < bit + 8) {
            bytes[i] &= static_cast<unsigned char>(0xFF << (bit + 8 - prefix));
        }
    }
    return bytes;
}

bool v4_mapped(const v6_bytes& b) noexcept {
    for (std::size_t i = 0; i < 10; ++i) {
        if (b[i] != 0) {
            return false;
        }
    }
    return b[10] == 0xFF && b[11] == 0xFF;
}

v6_bytes map_v4(const ip::address_v4& a) noexcept {
    v6_bytes out{};
    out[10] = 0xFF;
    out[11] = 0xFF;
    const ip::address_v4::bytes_type v4 = a.to_bytes();
    for (std::size_t i = 0; i < 4; ++i) {
        out[12 + i] = v4[i];
    }
    return out;
}

}  // namespace

result<cidr> cidr::parse(std::string_view text) {
    const auto invalid = make_error_code(core::errc::validation_error);
    const std::size_t slash = text.find('/');
    const std::optional<ip::address> address = parse_address(text.substr(0, slash));
    if (!address) {
        return invalid;
    }
    const unsigned max_prefix = address->is_v4() ? 32 : 128;
    unsigned prefix = max_prefix;
    if (slash != std::string_view::npos) {
        const std::optional<unsigned> parsed = parse_prefix(text.substr(slash + 1));
        if (!parsed || *parsed > max_prefix) {
            return invalid;
        }
        prefix = *parsed;
    }
    if (address->is_v4()) {
        const std::uint32_t bits = address->to_v4().to_uint() & v4_mask(prefix);
        return cidr(ip::address_v4(bits), prefix);
    }
    if (address->to_v6().scope_id() != 0) {
        return invalid;
    }
    return cidr(ip::address_v6(mask_v6(address->to_v6().to_bytes(), prefix)), prefix);
}

bool cidr::contains(const ip::address& address) const noexcept {
    if (network_.is_v4()) {
        std::uint32_t bits = 0;
        if (address.is_v4()) {
            bits = address.to_v4().to_uint();
        } else {
            const v6_bytes b = address.to_v6().to_bytes();
            if (!v4_mapped(b)) {
                return false;
            }
            bits = (std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) |
                   (std::uint32_t{b[14]} << 8) | std::uint32_t{b[15]};
        }
        return (bits & v4_mask(prefix_length_)) == network_.to_v4().to_uint();
    }
    const v6_bytes candidate =
        address.is_v6() ? address.to_v6().to_bytes() : map_v4(address.to_v4());
    return mask_v6(candidate, prefix_length_) == network_.to_v6().to_bytes();
}

std::string cidr::to_string() const {
    return network_.to_string() + "/" + std::to_string(prefix_length_);
}

result<std::vector<cidr>> parse_cidrs(const std::vector<std::string>& texts) {
    std::vector<cidr> out;
    out.reserve(texts.size());
    for (const std::string& text : texts) {
        result<cidr> parsed = cidr::parse(text);
        if (!parsed) {
            return parsed.error();
        }
        out.push_back(*parsed);
    }
    return out;
}

bool address_allowed(const std::vector<cidr>& allowlist, const ip::address& address) noexcept {
    if (allowlist.empty()) {
        return true;
    }
    for (const cidr& block : allowlist) {
        if (block.contains(address)) {
            return true;
        }
    }
    return false;
}

ip::address client_address(const ip::address& peer, std::string_view x_forwarded_for,
                           const std::vector<cidr>& trusted_proxies) {
    auto trusted = [&](const ip::address& a) {
        for (const cidr& block : trusted_proxies) {
            if (block.contains(a)) {
                return true;
            }
        }
        return false;
    };
    if (!trusted(peer)) {
        return peer;
    }
    // An absent or blank header names no hop: the peer is the client.
    if (x_forwarded_for.find_first_not_of(" \t") == std::string_view::npos) {
        return peer;
    }
    ip::address last = peer;
    std::string_view rest = x_forwarded_for;
    while (true) {
        const std::size_t comma = rest.rfind(',');
        std::string_view entry = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
        const std::size_t first = entry.find_first_not_of(" \t");
        const std::size_t end = entry.find_last_not_of(" \t");
        entry = first == std::string_view::npos ? std::string_view{}
                                                : entry.substr(first, end - first + 1);
        const std::optional<ip::address> hop = parse_address(entry);
        if (!hop) {
            return last;
        }
        if (!trusted(*hop)) {
            return *hop;
        }
        last = *hop;
        if (comma == std::string_view::npos) {
            return last;
        }
        rest = rest.substr(0, comma);
    }
}

}  // namespace hadrian::auth
