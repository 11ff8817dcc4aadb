// url::parse and url::host_header, table-driven.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hadrian/upstream/client.hpp"

namespace hadrian::upstream {
namespace {

struct good_case {
    std::string text;
    bool tls;
    std::string host;
    std::uint16_t port;
    std::string target;
    std::string host_header;
};

TEST(UrlParse, AcceptsValidUrls) {
    const std::vector<good_case> cases = {
        {"http://example.com", false, "example.com", 80, "/", "example.com"},
        {"https://example.com", true, "example.com", 443, "/", "example.com"},
        {"https://api.openai.com/v1/chat/completions", true, "api.openai.com", 443,
         "/v1/chat/completions", "api.openai.com"},
        {"http://127.0.0.1:8080/v1?x=1&y=2", false, "127.0.0.1", 8080, "/v1?x=1&y=2",
         "127.0.0.1:8080"},
        {"http://localhost:80/", false, "localhost", 80, "/", "localhost"},
        {"https://localhost:443/a", true, "localhost", 443, "/a", "localhost"},
        {"https://host:80/a", true, "host", 80, "/a", "host:80"},
        {"http://host:443", false, "host", 443, "/", "host:443"},
        {"HTTPS://Example.COM/Path", true, "example.com", 443, "/Path", "example.com"},
        {"http://example.com?q=1", false, "example.com", 80, "/?q=1", "example.com"},
        {"http://[::1]:8080/x", false, "::1", 8080, "/x", "[::1]:8080"},
        {"https://[2001:db8::1]/", true, "2001:db8::1", 443, "/", "[2001:db8::1]"},
        {"http://my_host-1.internal:65535", false, "my_host-1.internal", 65535, "/",
         "my_host-1.internal:65535"},
        {"http://h:1/%20encoded", false, "h", 1, "/%20encoded", "h:1"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto parsed = url::parse(c.text);
        ASSERT_TRUE(parsed.has_value());
        EXPECT_EQ(parsed->tls, c.tls);
        EXPECT_EQ(parsed->host, c.host);
        EXPECT_EQ(parsed->port, c.port);
        EXPECT_EQ(parsed->target, c.target);
        EXPECT_EQ(parsed->host_header(), c.host_header);
    }
}

TEST(UrlParse, RejectsInvalidUrls) {
    const std::vector<std::string> cases = {
        "",
        "example.com",
        "ftp://example.com/",
        "ws://example.com/",
        "http:/example.com",
        "http://",
        "http:///path",
        "http://user:pass@example.com/",
        "http://user@example.com/",
        "http://example.com/#frag",
        "http://example.com#",
        "http://example.com:/",
        "http://example.com:0/",
        "http://example.com:65536/",
        "http://example.com:99999999/",
        "http://example.com:-1/",
        "http://example.com:+80/",
        "http://example.com:8o/",
        "http://example.com:80:80/",
        "http://[::1/",
        "http://[::1]x/",
        "http://[not-ipv6]/",
        "http://[]/",
        "http://::1/",
        "http://exa mple.com/",
        "http://example.com/a b",
        "http://example.com/a\r\nX: y",
        "http://ex\tample.com/",
    };
    for (const auto& text : cases) {
        SCOPED_TRACE(text);
        const auto parsed = url::parse(text);
        ASSERT_FALSE(parsed.has_value());
        EXPECT_EQ(parsed.error(), core::errc::validation_error);
    }
}

}  // namespace
}  // namespace hadrian::upstream

namespace hadrian::upstream {
namespace {

TEST(EncodePathSegment, OnlyUnreservedCharactersStayAsTheyAre) {
    EXPECT_EQ(encode_path_segment("gpt-4o_mini.v1~x"), "gpt-4o_mini.v1~x");
    EXPECT_EQ(encode_path_segment("a/b"), "a%2Fb");
    EXPECT_EQ(encode_path_segment("us.amazon.nova-lite-v1:0"), "us.amazon.nova-lite-v1%3A0");
    EXPECT_EQ(encode_path_segment("x?y=1#z"), "x%3Fy%3D1%23z");
    EXPECT_EQ(encode_path_segment(".."), "..");
    EXPECT_EQ(encode_path_segment("a b%"), "a%20b%25");
    EXPECT_EQ(encode_path_segment("\xC3\xA9"), "%C3%A9");
}

}  // namespace
}  // namespace hadrian::upstream
