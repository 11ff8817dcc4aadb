#include "hadrian/auth/cidr.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "hadrian/core/error.hpp"

namespace hadrian::auth {
namespace {

namespace ip = boost::asio::ip;

ip::address addr(const char* text) { return ip::make_address(text); }

cidr block(std::string_view text) {
    auto parsed = cidr::parse(text);
    EXPECT_TRUE(parsed.has_value()) << text;
    return parsed.value();
}

TEST(cidr_parse, accepts_and_canonicalises) {
    struct row {
        std::string_view text;
        std::string_view canonical;
    };
    const row rows[] = {
        {"10.0.0.0/8", "10.0.0.0/8"},
        {"10.1.2.3/8", "10.0.0.0/8"},
        {"192.168.1.77/24", "192.168.1.0/24"},
        {"192.168.1.77/23", "192.168.0.0/23"},
        {"1.2.3.4", "1.2.3.4/32"},
        {"1.2.3.4/32", "1.2.3.4/32"},
        {"1.2.3.4/31", "1.2.3.4/31"},
        {"1.2.3.5/31", "1.2.3.4/31"},
        {"255.255.255.255/0", "0.0.0.0/0"},
        {"0.0.0.0/0", "0.0.0.0/0"},
        {"2001:db8::/32", "2001:db8::/32"},
        {"2001:DB8::1/32", "2001:db8::/32"},
        {"2001:db8:abcd:12ff::/60", "2001:db8:abcd:12f0::/60"},
        {"::1", "::1/128"},
        {"::1/128", "::1/128"},
        {"::/0", "::/0"},
        {"fe80::1/10", "fe80::/10"},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/127",
         "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127"},
        {"::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104"},
    };
    for (const row& r : rows) {
        auto parsed = cidr::parse(r.text);
        ASSERT_TRUE(parsed.has_value()) << r.text;
        EXPECT_EQ(parsed->to_string(), r.canonical) << r.text;
        // The canonical form parses back to the same block.
        auto again = cidr::parse(parsed->to_string());
        ASSERT_TRUE(again.has_value()) << r.canonical;
        EXPECT_EQ(*again, *parsed) << r.canonical;
    }
}

TEST(cidr_parse, exposes_network_and_prefix) {
    const cidr v4 = block("10.9.8.7/16");
    EXPECT_EQ(v4.network(), addr("10.9.0.0"));
    EXPECT_EQ(v4.prefix_length(), 16u);
    const cidr v6 = block("2001:db8::1");
    EXPECT_EQ(v6.network(), addr("2001:db8::1"));
    EXPECT_EQ(v6.prefix_length(), 128u);
}

TEST(cidr_parse, rejects_malformed) {
    const std::string_view rows[] = {
        "",
        "/",
        "/8",
        "10.0.0.0/",
        "10.0.0.0/33",
        "10.0.0.0/99",
        "10.0.0.0/1000",
        "10.0.0.0/-1",
        "10.0.0.0/+8",
        "10.0.0.0/08",
        "10.0.0.0/8/8",
        "10.0.0.0/8a",
        "10.0.0.0/0x8",
        " 10.0.0.0/8",
        "10.0.0.0/8 ",
        "10.0.0.0 /8",
        "10.0.0.0/ 8",
        "10.0.0.0\t",
        "10.0.0.0\n",
        "10.0.0",
        "10.0.0.0.0",
        "256.0.0.0/8",
        "010.0.0.0/8",
        "1.2.3.-4",
        "::/129",
        "::1/200",
        "2001:db8::/",
        "2001:db8:::/32",
        "2001:db8::g/32",
        "fe80::1%eth0",
        "fe80::1%1/64",
        "[::1]/128",
        "[::1]",
        "1.2.3.4:80",
        "localhost",
        "garbage",
        "*",
        std::string_view("10.0.0.0\0/8", 11),
    };
    for (std::string_view text : rows) {
        auto parsed = cidr::parse(text);
        ASSERT_FALSE(parsed.has_value()) << '"' << text << "\" parsed as " << parsed->to_string();
        EXPECT_EQ(parsed.error(), core::errc::validation_error) << text;
    }
}

TEST(cidr_contains, ipv4_edges) {
    struct row {
        std::string_view block;
        const char* address;
        bool inside;
    };
    const row rows[] = {
        {"0.0.0.0/0", "0.0.0.0", true},
        {"0.0.0.0/0", "255.255.255.255", true},
        {"0.0.0.0/0", "8.8.8.8", true},
        {"1.2.3.4/32", "1.2.3.4", true},
        {"1.2.3.4/32", "1.2.3.5", false},
        {"1.2.3.4/32", "1.2.3.3", false},
        {"10.0.0.0/8", "10.0.0.0", true},
        {"10.0.0.0/8", "10.255.255.255", true},
        {"10.0.0.0/8", "9.255.255.255", false},
        {"10.0.0.0/8", "11.0.0.0", false},
        {"192.168.0.0/23", "192.168.1.255", true},
        {"192.168.0.0/23", "192.168.2.0", false},
        {"192.168.0.0/23", "192.167.255.255", false},
        {"172.16.0.0/12", "172.31.255.255", true},
        {"172.16.0.0/12", "172.32.0.0", false},
        {"128.0.0.0/1", "127.255.255.255", false},
        {"128.0.0.0/1", "128.0.0.0", true},
        // IPv4-mapped IPv6 client addresses match IPv4 blocks.
        {"10.0.0.0/8", "::ffff:10.1.2.3", true},
        {"10.0.0.0/8", "::ffff:11.1.2.3", false},
        {"1.2.3.4/32", "::ffff:1.2.3.4", true},
        {"0.0.0.0/0", "::ffff:0.0.0.0", true},
        // Other IPv6 addresses never match IPv4 blocks, not even ones ending in the bits.
        {"0.0.0.0/0", "::1", false},
        {"0.0.0.0/0", "2001:db8::", false},
        {"10.0.0.0/8", "::10.1.2.3", false},  // IPv4-compatible, not mapped
        {"10.0.0.0/8", "::fffe:10.1.2.3", false},
        {"10.0.0.0/8", "1::ffff:10.1.2.3", false},
    };
    for (const row& r : rows) {
        EXPECT_EQ(block(r.block).contains(addr(r.address)), r.inside)
            << r.block << " contains " << r.address;
    }
}

TEST(cidr_contains, ipv6_edges) {
    struct row {
        std::string_view block;
        const char* address;
        bool inside;
    };
    const row rows[] = {
        {"::/0", "::", true},
        {"::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true},
        {"::/0", "2001:db8::1", true},
        {"::1/128", "::1", true},
        {"::1/128", "::2", false},
        {"::1/128", "::", false},
        {"2001:db8::/32", "2001:db8::", true},
        {"2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true},
        {"2001:db8::/32", "2001:db9::", false},
        {"2001:db8::/32", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false},
        {"2001:db8::/33", "2001:db8:7fff::1", true},
        {"2001:db8::/33", "2001:db8:8000::", false},
        {"fe80::/10", "febf:ffff::1", true},
        {"fe80::/10", "fec0::", false},
        {"2001:db8::ff00/127", "2001:db8::ff01", true},
        {"2001:db8::ff00/127", "2001:db8::ff02", false},
        // A mapped IPv6 block and an IPv4 client compare in mapped form.
        {"::ffff:0:0/96", "1.2.3.4", true},
        {"::ffff:10.0.0.0/104", "10.9.9.9", true},
        {"::ffff:10.0.0.0/104", "11.0.0.0", false},
        {"::ffff:10.0.0.0/104", "::ffff:10.9.9.9", true},
        {"::/0", "8.8.8.8", true},
        {"2001:db8::/32", "8.8.8.8", false},
        {"::1/128", "127.0.0.1", false},
    };
    for (const row& r : rows) {
        EXPECT_EQ(block(r.block).contains(addr(r.address)), r.inside)
            << r.block << " contains " << r.address;
    }
}

TEST(cidr_contains, ignores_the_scope_of_a_link_local_client) {
    ip::address_v6 scoped = addr("fe80::1").to_v6();
    scoped.scope_id(3);
    EXPECT_TRUE(block("fe80::/10").contains(ip::address(scoped)));
}

TEST(parse_cidrs, all_or_nothing) {
    auto empty = parse_cidrs({});
    ASSERT_TRUE(empty.has_value());
    EXPECT_TRUE(empty->empty());

    auto ok = parse_cidrs({"10.0.0.0/8", "::1", "192.168.1.1"});
    ASSERT_TRUE(ok.has_value());
    ASSERT_EQ(ok->size(), 3u);
    EXPECT_EQ((*ok)[0].to_string(), "10.0.0.0/8");
    EXPECT_EQ((*ok)[1].to_string(), "::1/128");
    EXPECT_EQ((*ok)[2].to_string(), "192.168.1.1/32");

    auto bad = parse_cidrs({"10.0.0.0/8", "10.0.0.0/33", "::1"});
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error(), core::errc::validation_error);
}

TEST(address_allowed, empty_list_allows_everyone) {
    EXPECT_TRUE(address_allowed({}, addr("1.2.3.4")));
    EXPECT_TRUE(address_allowed({}, addr("::1")));
}

TEST(address_allowed, any_block_matches) {
    const std::vector<cidr> list = parse_cidrs({"10.0.0.0/8", "2001:db8::/32"}).value();
    EXPECT_TRUE(address_allowed(list, addr("10.20.30.40")));
    EXPECT_TRUE(address_allowed(list, addr("::ffff:10.20.30.40")));
    EXPECT_TRUE(address_allowed(list, addr("2001:db8::5")));
    EXPECT_FALSE(address_allowed(list, addr("11.0.0.1")));
    EXPECT_FALSE(address_allowed(list, addr("2001:db9::5")));
    EXPECT_FALSE(address_allowed(list, addr("::1")));
}

}  // namespace
}  // namespace hadrian::auth
