#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "hadrian/auth/cidr.hpp"

namespace hadrian::auth {
namespace {

namespace ip = boost::asio::ip;

ip::address addr(const char* text) { return ip::make_address(text); }

struct row {
    std::string_view name;
    const char* peer;
    std::string_view x_forwarded_for;
    const char* want;
};

void check(const std::vector<std::string>& trusted_texts, const std::vector<row>& rows) {
    const std::vector<cidr> trusted = parse_cidrs(trusted_texts).value();
    for (const row& r : rows) {
        EXPECT_EQ(client_address(addr(r.peer), r.x_forwarded_for, trusted), addr(r.want))
            << r.name << ": peer " << r.peer << ", X-Forwarded-For '" << r.x_forwarded_for << "'";
    }
}

TEST(client_address, no_trusted_proxies_means_the_peer) {
    check({}, {
                  {"no header", "203.0.113.9", "", "203.0.113.9"},
                  {"header ignored", "203.0.113.9", "198.51.100.1", "203.0.113.9"},
                  {"v6 peer", "2001:db8::9", "198.51.100.1", "2001:db8::9"},
              });
}

TEST(client_address, untrusted_peer_cannot_spoof) {
    check({"10.0.0.0/8"}, {
                              {"spoofed", "203.0.113.9", "10.0.0.1, 1.1.1.1", "203.0.113.9"},
                              {"spoofed single", "203.0.113.9", "1.1.1.1", "203.0.113.9"},
                          });
}

TEST(client_address, trusted_peer_chains) {
    check(
        {"10.0.0.0/8", "2001:db8:ffff::/48"},
        {
            {"no header", "10.0.0.1", "", "10.0.0.1"},
            {"blank header", "10.0.0.1", "  ", "10.0.0.1"},
            {"one hop", "10.0.0.1", "198.51.100.7", "198.51.100.7"},
            {"one hop with spaces", "10.0.0.1", "  198.51.100.7  ", "198.51.100.7"},
            {"rightmost untrusted wins", "10.0.0.1", "1.1.1.1, 198.51.100.7", "198.51.100.7"},
            {"client-supplied left entries ignored", "10.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.2",
             "198.51.100.7"},
            {"skip several proxies", "10.0.0.1", "198.51.100.7,10.0.0.3,10.0.0.2", "198.51.100.7"},
            {"all trusted gives leftmost", "10.0.0.1", "10.0.0.3, 10.0.0.2", "10.0.0.3"},
            {"v6 client", "10.0.0.1", "2001:db8::42", "2001:db8::42"},
            {"v6 proxy skipped", "2001:db8:ffff::1", "198.51.100.7, 2001:db8:ffff::2",
             "198.51.100.7"},
            {"mapped peer trusted", "::ffff:10.0.0.1", "198.51.100.7", "198.51.100.7"},
            {"mapped proxy entry skipped", "10.0.0.1", "198.51.100.7, ::ffff:10.0.0.9",
             "198.51.100.7"},
            {"mapped client kept as given", "10.0.0.1", "::ffff:198.51.100.7",
             "::ffff:198.51.100.7"},
        });
}

TEST(client_address, invalid_entries_stop_the_walk) {
    check(
        {"10.0.0.0/8"},
        {
            {"garbage only", "10.0.0.1", "unknown", "10.0.0.1"},
            {"garbage right of client", "10.0.0.1", "198.51.100.7, garbage", "10.0.0.1"},
            {"garbage after a proxy", "10.0.0.1", "198.51.100.7, junk, 10.0.0.2", "10.0.0.2"},
            {"garbage left of client", "10.0.0.1", "junk, 198.51.100.7", "198.51.100.7"},
            {"empty entry", "10.0.0.1", "198.51.100.7,,10.0.0.2", "10.0.0.2"},
            {"trailing comma", "10.0.0.1", "198.51.100.7,", "10.0.0.1"},
            {"port", "10.0.0.1", "198.51.100.7:4711", "10.0.0.1"},
            {"bracketed v6", "10.0.0.1", "[2001:db8::1]", "10.0.0.1"},
            {"zone", "10.0.0.1", "fe80::1%eth0", "10.0.0.1"},
            {"cidr is not an address", "10.0.0.1", "198.51.100.0/24", "10.0.0.1"},
            {"very long entry", "10.0.0.1",
             std::string_view("1111111111111111111111111111111111111111111111111111"), "10.0.0.1"},
        });
}

}  // namespace
}  // namespace hadrian::auth
