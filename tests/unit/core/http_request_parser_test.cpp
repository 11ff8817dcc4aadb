// The request parser's strictness (RFC 9112): what two readers could take differently is
// refused, heads and chunked bodies arrive whole however they are cut, limits hold.
#include <gtest/gtest.h>

#include <boost/beast/http/error.hpp>
#include <string>

#include "hadrian/core/http_request.hpp"

namespace hadrian::core {
namespace {

/// Parses `wire` fed `piece` bytes at a time (the unparsed rest presented again with the next
/// piece, as a connection's buffer does); the parser's first error, or need_more when the
/// request did not end.
error_code parse_in_pieces(const std::string& wire, http_request& out, std::size_t piece,
                           std::uint32_t header_limit = 8192, std::uint64_t body_limit = 1 << 20) {
    http_request_parser parser(out);
    parser.header_limit(header_limit);
    parser.body_limit(body_limit);
    std::size_t at = 0;
    std::size_t have = 0;  // bytes received so far
    while (!parser.is_done()) {
        have = std::min(wire.size(), have + piece);
        error_code ec;
        const std::size_t used = parser.put(asio::buffer(wire.data() + at, have - at), ec);
        at += used;
        if (ec && ec != http::error::need_more) {
            return ec;
        }
        if (ec && have == wire.size()) {
            return ec;
        }
        if (!ec && used == 0 && !parser.is_done() && have == wire.size()) {
            return http::error::need_more;
        }
    }
    return {};
}

error_code parse(const std::string& wire, http_request& out) {
    return parse_in_pieces(wire, out, wire.size() + 1);
}

TEST(HttpRequestParser, ValuesAreTrimmedAndMayHoldOtherTextThanAscii) {
    http_request req;
    ASSERT_FALSE(parse("GET /x HTTP/1.1\r\nA:  one two \t\r\nB:\r\nC: caf\xc3\xa9\r\n\r\n", req));
    EXPECT_EQ(req["A"], "one two");
    EXPECT_EQ(req["B"], "");
    EXPECT_EQ(req["C"], "caf\xc3\xa9");
}

TEST(HttpRequestParser, EmptyLinesBeforeTheRequestLineAreSkipped) {
    http_request req;
    ASSERT_FALSE(parse("\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n", req));
    EXPECT_EQ(req.target(), "/after");
    EXPECT_EQ(req["Host"], "h");
}

TEST(HttpRequestParser, ALaterMinorVersionIsReadAsOneOne) {
    http_request req;
    ASSERT_FALSE(parse("GET / HTTP/1.2\r\n\r\n", req));
    EXPECT_EQ(req.version(), 11u);
}

TEST(HttpRequestParser, MalformedRequestLinesAreRefused) {
    http_request req;
    EXPECT_EQ(parse(" / HTTP/1.1\r\n\r\n", req), http::error::bad_method);
    EXPECT_EQ(parse("GE(T / HTTP/1.1\r\n\r\n", req), http::error::bad_method);
    EXPECT_EQ(parse("GET  HTTP/1.1\r\n\r\n", req), http::error::bad_target);
    EXPECT_EQ(parse("GET /a\x7f HTTP/1.1\r\n\r\n", req), http::error::bad_target);
    EXPECT_EQ(parse("GET / HTTP/2.0\r\n\r\n", req), http::error::bad_version);
    EXPECT_EQ(parse("GET / http/1.1\r\n\r\n", req), http::error::bad_version);
    EXPECT_EQ(parse("GET / HTTP/1.1 \r\n\r\n", req), http::error::bad_version);
    EXPECT_EQ(parse("GET /\r\n\r\n", req), http::error::bad_target);
}

TEST(HttpRequestParser, FieldLinesTwoReadersCouldSplitDifferentlyAreRefused) {
    http_request req;
    // Folded onto the next line (obs-fold).
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nA: one\r\n two\r\n\r\n", req), http::error::bad_value);
    // Whitespace before the colon.
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost : h\r\n\r\n", req), http::error::bad_field);
    EXPECT_EQ(parse("GET / HTTP/1.1\r\n: empty\r\n\r\n", req), http::error::bad_field);
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nNoColon\r\n\r\n", req), http::error::bad_field);
    // A bare LF inside the head, a lone CR, control characters and DEL in a value.
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nA: 1\nB: 2\r\n\r\n", req), http::error::bad_line_ending);
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nA: 1\rB: 2\r\n\r\n", req), http::error::bad_value);
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nA: x\x01y\r\n\r\n", req), http::error::bad_value);
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nA: 0123456789abcdef\x7f\r\n\r\n", req),
              http::error::bad_value);
}

TEST(HttpRequestParser, BodyFramingIsOneLengthOrChunked) {
    http_request req;
    ASSERT_FALSE(parse("POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\nab", req));
    EXPECT_EQ(req.body(), "ab");
    EXPECT_EQ(parse("POST / HTTP/1.1\r\nContent-Length: 2, 3\r\n\r\nab", req),
              http::error::multiple_content_length);
    EXPECT_EQ(parse("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", req),
              http::error::bad_content_length);
    EXPECT_EQ(parse("POST / HTTP/1.1\r\nContent-Length: 0x2\r\n\r\nab", req),
              http::error::bad_content_length);
    EXPECT_EQ(parse("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", req),
              http::error::bad_content_length);
    // Both framings, in either order.
    EXPECT_EQ(parse("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "0\r\n\r\n",
                    req),
              http::error::bad_transfer_encoding);
    EXPECT_EQ(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
                    "0\r\n\r\n",
                    req),
              http::error::bad_content_length);
    // A coding list must end in chunked, and hold it once.
    EXPECT_EQ(parse("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", req),
              http::error::bad_transfer_encoding);
    EXPECT_EQ(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", req),
              http::error::bad_transfer_encoding);
    EXPECT_EQ(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", req),
              http::error::bad_transfer_encoding);
    EXPECT_EQ(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked"
                    "\r\n\r\n0\r\n\r\n",
                    req),
              http::error::bad_transfer_encoding);
    ASSERT_FALSE(parse(
        "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, CHUNKED\r\n\r\n2\r\nok\r\n0\r\n\r\n", req));
    EXPECT_EQ(req.body(), "ok");
    // No framing: no body.
    ASSERT_FALSE(parse("POST / HTTP/1.1\r\n\r\n", req));
    EXPECT_TRUE(req.body().empty());
}

TEST(HttpRequestParser, AHeadAndAChunkedBodyArriveWholeHoweverTheyAreCut) {
    const std::string wire =
        "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer "
        "gw_live_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG\r\nTransfer-Encoding: chunked\r\n\r\n"
        "a;name=value\r\n0123456789\r\n3\r\nabc\r\n0\r\nTrailer-Field: t\r\n\r\n";
    for (const std::size_t piece : {1, 2, 3, 7, 64, 4096}) {
        http_request req;
        ASSERT_FALSE(parse_in_pieces(wire, req, piece)) << piece;
        EXPECT_EQ(req.body(), "0123456789abc") << piece;
        EXPECT_EQ(req["Authorization"],
                  "Bearer gw_live_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG");
        EXPECT_EQ(req["Trailer-Field"], "") << "trailers are not the request's fields";
        EXPECT_EQ(req.fields().size(), 3u);
    }
}

TEST(HttpRequestParser, AHeadTakesNothingUntilItIsWhole) {
    http_request req;
    http_request_parser parser(req);
    const std::string wire = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n";
    for (std::size_t n = 0; n < wire.size(); ++n) {
        error_code ec;
        EXPECT_EQ(parser.put(asio::buffer(wire.data(), n), ec), 0u) << n;
        EXPECT_EQ(ec, http::error::need_more) << n;
        EXPECT_FALSE(parser.is_header_done());
    }
    error_code ec;
    EXPECT_EQ(parser.put(asio::buffer(wire), ec), wire.size());
    EXPECT_FALSE(ec);
    EXPECT_TRUE(parser.is_done());
    EXPECT_TRUE(parser.got_some());
}

TEST(HttpRequestParser, ChunksAreChecked) {
    http_request req;
    const std::string head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    EXPECT_EQ(parse(head + "zz\r\n", req), http::error::bad_chunk);
    EXPECT_EQ(parse(head + "2\r\nabX\r\n0\r\n\r\n", req), http::error::bad_chunk);
    EXPECT_EQ(parse(head + "2\n", req), http::error::bad_line_ending);
    EXPECT_EQ(parse(head + "2 junk\r\nab\r\n0\r\n\r\n", req), http::error::bad_chunk_extension);
    EXPECT_EQ(parse(head + "2;x=\x01\r\nab\r\n0\r\n\r\n", req), http::error::bad_chunk_extension);
    EXPECT_EQ(parse(head + "1000000000000000\r\n", req), http::error::bad_chunk);
    EXPECT_EQ(parse(head + "0\r\nBad Trailer: x\r\n\r\n", req), http::error::bad_field);
    EXPECT_EQ(parse(head + "1;" + std::string(5000, 'e') + "\r\n", req),
              http::error::bad_chunk_extension);
    // The body limit counts every chunk.
    EXPECT_EQ(
        parse_in_pieces(head + "8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n", req, 5, 8192, 12),
        http::error::body_limit);
}

TEST(HttpRequestParser, LimitsHoldForHeadsInPieces) {
    http_request req;
    const std::string wire = "GET / HTTP/1.1\r\nX-Long: " + std::string(300, 'v') + "\r\n\r\n";
    EXPECT_EQ(parse_in_pieces(wire, req, 7, 128), http::error::header_limit);
    EXPECT_FALSE(parse_in_pieces(wire, req, 7, 512));
    EXPECT_EQ(req["X-Long"].size(), 300u);
    // An announced length above the body limit is refused once the head is read.
    EXPECT_EQ(
        parse_in_pieces("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n", req, 1000, 8192, 99),
        http::error::body_limit);
}

TEST(HttpRequestParser, ContentLengthIsKnownOnceTheHeadIsRead) {
    http_request req;
    http_request_parser parser(req);
    const std::string wire = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde";
    error_code ec;
    const std::size_t head = parser.put(asio::buffer(wire), ec);
    ASSERT_FALSE(ec);
    ASSERT_TRUE(parser.is_header_done());
    EXPECT_EQ(parser.content_length(), 5u);
    EXPECT_EQ(parser.content_length_remaining(), 5u);
    EXPECT_EQ(parser.put(asio::buffer(wire.data() + head, 2), ec), 2u);
    EXPECT_EQ(parser.content_length_remaining(), 3u);
    EXPECT_EQ(parser.put(asio::buffer(wire.data() + head + 2, 3), ec), 3u);
    EXPECT_TRUE(parser.is_done());
    EXPECT_EQ(req.body(), "abcde");
}

}  // namespace
}  // namespace hadrian::core
