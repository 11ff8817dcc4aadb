/// CIDR blocks for key IP allowlists and trusted proxies, and client address resolution
/// behind proxies. Pure; values are immutable and safe to share across threads.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "hadrian/core/asio.hpp"

namespace hadrian::auth {

/// An IPv4 or IPv6 network: an address with its host bits cleared and a prefix length.
class cidr {
public:
    /// Parse `a.b.c.d/n` (n in 0..32), `a.b.c.d` (= /32), `x::y/n` (n in 0..128) or a bare
    /// IPv6 address (= /128). Host bits below the prefix are cleared ("10.1.2.3/8" is
    /// 10.0.0.0/8). Whitespace anywhere, a sign, a leading zero or a missing number in the
    /// prefix, an IPv6 zone (`%eth0`) and anything else malformed give
    /// `core::errc::validation_error`.
    static result<cidr> parse(std::string_view text);

    /// True when `address` lies in the block. An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`,
    /// what a dual-stack listener reports for IPv4 clients) is compared as its IPv4 address
    /// against an IPv4 block, and an IPv4 address is compared in its mapped form against an
    /// IPv6 block, so the answer does not depend on how the listener is bound.
    bool contains(const boost::asio::ip::address& address) const noexcept;

    /// Canonical text: `network/prefix`, e.g. "10.0.0.0/8", "2001:db8::/32".
    std::string to_string() const;

    const boost::asio::ip::address& network() const noexcept { return network_; }
    unsigned prefix_length() const noexcept { return prefix_length_; }

    friend bool operator==(const cidr&, const cidr&) = default;

private:
    cidr(boost::asio::ip::address network, unsigned prefix_length) noexcept
        : network_(network), prefix_length_(prefix_length) {}

    boost::asio::ip::address network_;
    unsigned prefix_length_ = 0;
};

/// Parse every entry; the first malformed one fails the whole list (validation_error).
result<std::vector<cidr>> parse_cidrs(const std::vector<std::string>& texts);

/// True when `allowlist` is empty (no restriction) or one of its blocks contains `address`.
bool address_allowed(const std::vector<cidr>& allowlist,
                     const boost::asio::ip::address& address) noexcept;

/// The address a request comes from. When `peer` (the socket's remote address) is not in
/// `trusted_proxies`, the result is `peer` and `X-Forwarded-For` is ignored: anyone can
/// send that header. When it is, the comma-separated `x_forwarded_for` is walked from the
/// right (the entry the nearest proxy appended) to the left, skipping addresses of trusted
/// proxies, and the first untrusted address is the client. An entry that is not a plain IP
/// address (empty, a port, garbage) stops the walk: the result is the last address accepted
/// so far, or `peer` when there is none. When every entry is a trusted proxy, the leftmost is
/// returned. Addresses are returned as given (an IPv4-mapped `peer` stays mapped).
boost::asio::ip::address client_address(const boost::asio::ip::address& peer,
                                        std::string_view x_forwarded_for,
                                        const std::vector<cidr>& trusted_proxies);

}  // namespace hadrian::auth
