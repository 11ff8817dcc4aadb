// core::http_request and its parser: what the parser reads lands in one buffer and a table
// of fields, found by enum or by name in any case; bodies (whole, in pieces, chunked) arrive
// whole; limits hold; a connection's next request starts clean.
#include "hadrian/core/http_request.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/error.hpp>
#include <string>

namespace hadrian::core {
namespace {

std::string request_with(const std::string& body) {
    return "POST /api/v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

/// Parses all of `wire` at once into `out`; the parser's error.
error_code parse(const std::string& wire, http_request& out, bool* keep_alive = nullptr) {
    http_request_parser parser(out);
    error_code ec;
    std::size_t at = 0;
    while (!parser.is_done() && at < wire.size()) {
        const std::size_t used = parser.put(asio::buffer(wire.data() + at, wire.size() - at), ec);
        at += used;
        if (ec) {
            return ec;
        }
    }
    if (keep_alive != nullptr) {
        *keep_alive = parser.keep_alive();
    }
    return parser.is_done() ? error_code{} : http::error::need_more;
}

TEST(HttpRequest, FieldsAreFoundByEnumAndByNameInAnyCase) {
    http_request req;
    const std::string wire =
        "POST /api/v1/chat/completions?x=1 HTTP/1.1\r\n"
        "Host: gw\r\n"
        "authorization: Bearer one\r\n"
        "X-Request-Id: abc\r\n"
        "x-request-id: second\r\n"
        "X-Empty:\r\n"
        "Content-Length: 2\r\n\r\n{}";
    ASSERT_FALSE(parse(wire, req));
    EXPECT_EQ(req.method(), http::verb::post);
    EXPECT_EQ(req.method_string(), "POST");
    EXPECT_EQ(req.target(), "/api/v1/chat/completions?x=1");
    EXPECT_EQ(req.version(), 11u);
    EXPECT_EQ(req.fields().size(), 6u);
    EXPECT_EQ(req[http::field::authorization], "Bearer one");
    EXPECT_EQ(req["Authorization"], "Bearer one");
    EXPECT_EQ(req["AUTHORIZATION"], "Bearer one");
    EXPECT_EQ(req["x-REQUEST-id"], "abc");  // the first of a repeated field
    EXPECT_EQ(req[http::field::host], "gw");
    EXPECT_EQ(req["X-Empty"], "");
    EXPECT_EQ(req["X-Missing"], "");
    EXPECT_EQ(req["X-Request"], "");  // a prefix is not the name
    EXPECT_EQ(req[http::field::expect], "");
    EXPECT_EQ(req.body(), "{}");
}

TEST(HttpRequest, AnUnknownMethodKeepsItsName) {
    http_request req;
    ASSERT_FALSE(parse("BREW /x HTTP/1.0\r\n\r\n", req));
    EXPECT_EQ(req.method(), http::verb::unknown);
    EXPECT_EQ(req.method_string(), "BREW");
    EXPECT_EQ(req.target(), "/x");
    EXPECT_EQ(req.version(), 10u);
}

TEST(HttpRequest, KeepAliveFollowsTheVersionAndConnection) {
    http_request req;
    bool keep = false;
    ASSERT_FALSE(parse("GET / HTTP/1.1\r\n\r\n", req, &keep));
    EXPECT_TRUE(keep);
    ASSERT_FALSE(parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", req, &keep));
    EXPECT_FALSE(keep);
    ASSERT_FALSE(parse("GET / HTTP/1.0\r\n\r\n", req, &keep));
    EXPECT_FALSE(keep);
    ASSERT_FALSE(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", req, &keep));
    EXPECT_TRUE(keep);
}

TEST(HttpRequest, ABodyFedInPiecesArrivesWholeInOneReservedString) {
    std::string body;
    for (int i = 0; i < 5000; ++i) {
        body += static_cast<char>('a' + i % 26);
    }
    const std::string wire = request_with(body);
    http_request req;
    http_request_parser parser(req);
    std::size_t at = 0;
    const char* first_byte = nullptr;
    for (std::size_t piece = 1; at < wire.size(); piece = piece % 97 + 13) {
        const std::size_t n = std::min(piece, wire.size() - at);
        error_code ec;
        at += parser.put(asio::buffer(wire.data() + at, n), ec);
        ASSERT_TRUE(!ec || ec == http::error::need_more) << ec.message();
        if (parser.is_header_done() && first_byte == nullptr && !req.body().empty()) {
            first_byte = req.body().data();
            EXPECT_GE(req.body().capacity(), body.size()) << "reserved for the length";
        }
    }
    ASSERT_TRUE(parser.is_done());
    EXPECT_EQ(req.body(), body);
    EXPECT_EQ(req.body().data(), first_byte) << "never moved while growing";
    EXPECT_EQ(req["Content-Length"], "5000");
}

TEST(HttpRequest, AChunkedBodyArrivesWhole) {
    http_request req;
    const std::string wire =
        "POST /v1/embeddings HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\n\r\n";
    ASSERT_FALSE(parse(wire, req));
    EXPECT_EQ(req.body(), "hello world");
}

TEST(HttpRequest, LimitsAndBadFramingAreRefused) {
    http_request req;
    {
        http_request_parser parser(req);
        parser.body_limit(100);
        error_code ec;
        parser.put(asio::buffer(request_with(std::string(200, 'x'))), ec);
        EXPECT_EQ(ec, http::error::body_limit);
    }
    {
        http_request_parser parser(req);
        parser.header_limit(64);
        error_code ec;
        parser.put(asio::buffer("GET / HTTP/1.1\r\nX-Long: " + std::string(100, 'y') + "\r\n\r\n"),
                   ec);
        EXPECT_EQ(ec, http::error::header_limit);
    }
    // Two lengths that disagree: the framing is unknown, the request refused.
    EXPECT_TRUE(parse("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", req));
    EXPECT_TRUE(parse("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", req));
}

TEST(HttpRequest, TheNextRequestStartsClean) {
    http_request req;
    ASSERT_FALSE(parse(request_with(std::string(64 * 1024, 'z')), req));
    EXPECT_EQ(req.body().size(), 64u * 1024);
    ASSERT_FALSE(parse("GET /health HTTP/1.1\r\nX-One: 1\r\n\r\n", req));
    EXPECT_EQ(req.target(), "/health");
    EXPECT_EQ(req.fields().size(), 1u);
    EXPECT_EQ(req["Host"], "");
    EXPECT_TRUE(req.body().empty());
    EXPECT_LT(req.body().capacity(), 64u * 1024) << "a large body's buffer is not kept";
    // A small body's buffer is kept for the next request.
    ASSERT_FALSE(parse(request_with("{\"a\":1}"), req));
    const std::size_t kept = req.body().capacity();
    ASSERT_FALSE(parse("GET / HTTP/1.1\r\n\r\n", req));
    EXPECT_EQ(req.body().capacity(), kept);
}

}  // namespace
}  // namespace hadrian::core
