// response::read_all() reads a body straight into the string it returns: bodies larger than
// one read window, of known and of unknown size, the body limit at and past its edge, and the
// room left after a body of known size.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client_harness.hpp"
#include "fake_server.hpp"

namespace hadrian::upstream::testing {
namespace {

/// `size` bytes that differ from one position to the next, so that a byte read twice, lost
/// or moved shows.
std::string pattern(std::size_t size) {
    std::string s(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        s[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
    }
    return s;
}

/// `body` cut into chunks of `size` bytes (the last one shorter).
std::vector<std::string> chunks_of(const std::string& body, std::size_t size) {
    std::vector<std::string> out;
    for (std::size_t at = 0; at < body.size(); at += size) {
        out.push_back(body.substr(at, size));
    }
    return out;
}

/// The body of the answer `server` gives, read with read_all() through a client with
/// `options`.
result<std::string, failure> read_body(fake_server& server, client_options options = {}) {
    client_harness h(options);
    auto sent = h.send(make_request(server.url("/")));
    if (!sent) {
        return sent.error();
    }
    auto body = h.read_all(**sent);
    h.drop(std::move(*sent));
    return body;
}

TEST(UpstreamReadAll, ABodyOfKnownSizeLargerThanOneWindowArrivesWhole) {
    const std::string expected = pattern(300 * 1024);
    fake_server server([&](const seen_request&, std::size_t) { return content_reply(expected); });
    const auto body = read_body(server);
    ASSERT_TRUE(body.has_value()) << body.error().message;
    EXPECT_EQ(body->size(), expected.size());
    EXPECT_TRUE(*body == expected);
}

TEST(UpstreamReadAll, AChunkedBodyOfUnknownSizeArrivesWhole) {
    const std::string expected = pattern(150 * 1000 + 17);
    const auto chunks = chunks_of(expected, 1000);
    fake_server server([&](const seen_request&, std::size_t) {
        return chunked_reply(chunks, std::chrono::milliseconds(0));
    });
    const auto body = read_body(server);
    ASSERT_TRUE(body.has_value()) << body.error().message;
    EXPECT_EQ(body->size(), expected.size());
    EXPECT_TRUE(*body == expected);
}

TEST(UpstreamReadAll, ABodyOfExactlyTheLimitIsTaken) {
    const std::string expected = pattern(5000);
    const auto chunks = chunks_of(expected, 700);
    client_options options;
    options.max_body_bytes = 5000;
    fake_server whole([&](const seen_request&, std::size_t) { return content_reply(expected); });
    const auto known = read_body(whole, options);
    ASSERT_TRUE(known.has_value()) << known.error().message;
    EXPECT_TRUE(*known == expected);
    fake_server chunked([&](const seen_request&, std::size_t) {
        return chunked_reply(chunks, std::chrono::milliseconds(0));
    });
    const auto unknown = read_body(chunked, options);
    ASSERT_TRUE(unknown.has_value()) << unknown.error().message;
    EXPECT_TRUE(*unknown == expected);
}

TEST(UpstreamReadAll, AChunkedBodyOneByteOverTheLimitIsRefused) {
    const auto chunks = chunks_of(pattern(5001), 700);
    client_options options;
    options.max_body_bytes = 5000;
    fake_server server([&](const seen_request&, std::size_t) {
        return chunked_reply(chunks, std::chrono::milliseconds(0));
    });
    const auto body = read_body(server, options);
    ASSERT_FALSE(body.has_value());
    EXPECT_EQ(body.error().ec, core::errc::provider_error);
    EXPECT_EQ(body.error().message, "response body exceeds 5000 bytes");
}

TEST(UpstreamReadAll, ABodyOfKnownSizeLeavesRoomForASmallSplice) {
    // The usage's cost goes into a chat answer's body: it must fit without moving the body.
    const std::string expected = pattern(661);
    fake_server server([&](const seen_request&, std::size_t) { return content_reply(expected); });
    const auto body = read_body(server);
    ASSERT_TRUE(body.has_value()) << body.error().message;
    EXPECT_TRUE(*body == expected);
    EXPECT_GE(body->capacity() - body->size(), 32u);
}

}  // namespace
}  // namespace hadrian::upstream::testing
