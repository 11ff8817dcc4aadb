// The upstream answer's parser: where an answer ends (a pooled connection carries the next),
// interim answers read past, body bytes through windows of any size, however the bytes are cut.
#include "upstream/response_parser.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/error.hpp>
#include <string>
#include <vector>

namespace hadrian::upstream {
namespace {

struct parsed {
    error_code ec;  // the first error, need_more when the answer did not end
    std::string body;
    std::size_t used = 0;  // bytes of the wire taken
};

/// Parses `wire` arriving `piece` bytes at a time (the unparsed rest presented again with the
/// next piece, as a connection's buffer does), body bytes through windows of `window` bytes.
parsed parse_in_pieces(response_parser& parser, const std::string& wire, std::size_t piece,
                       std::size_t window = 7) {
    parsed out;
    std::vector<char> room(window);
    std::size_t have = 0;
    while (!parser.is_done()) {
        have = std::min(wire.size(), have + piece);
        for (;;) {
            const bool windowed = parser.is_header_done();
            if (windowed) {
                parser.body_window(room.data(), room.size());
            }
            error_code ec;
            const std::size_t n =
                parser.put(asio::buffer(wire.data() + out.used, have - out.used), ec);
            out.used += n;
            if (windowed) {
                out.body.append(room.data(), room.size() - parser.window_left());
            }
            if (ec && ec != http::error::need_more && ec != http::error::need_buffer) {
                out.ec = ec;
                return out;
            }
            if (parser.is_done() || (n == 0 && ec != http::error::need_buffer)) {
                break;
            }
        }
        if (!parser.is_done() && have == wire.size()) {
            out.ec = http::error::need_more;
            return out;
        }
    }
    return out;
}

parsed parse(response_parser& parser, const std::string& wire) {
    return parse_in_pieces(parser, wire, wire.size());
}

error_code parse_error(const std::string& wire) {
    response_parser parser;
    return parse(parser, wire).ec;
}

TEST(ResponseParser, StatusLineAndFields) {
    response_parser parser;
    const auto got = parse(parser,
                           "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Empty:\r\n"
                           "Content-Length: 2\r\n\r\n{}");
    ASSERT_FALSE(got.ec);
    EXPECT_EQ(parser.status(), 201);
    EXPECT_EQ(parser.fields()[http::field::content_type], "application/json");
    EXPECT_TRUE(parser.fields().contains("x-empty"));
    EXPECT_EQ(got.body, "{}");
    EXPECT_TRUE(parser.keep_alive());
}

TEST(ResponseParser, TheReasonMayBeEmptyOrLeftOut) {
    for (const std::string line : {"HTTP/1.1 200 \r\n", "HTTP/1.1 200\r\n", "HTTP/1.0 200 OK\r\n",
                                   "HTTP/1.9 200 Fine, th\xc3\xa0nks\r\n"}) {
        response_parser parser;
        EXPECT_FALSE(parse(parser, line + "Content-Length: 0\r\n\r\n").ec) << line;
        EXPECT_EQ(parser.status(), 200) << line;
    }
}

TEST(ResponseParser, MalformedStatusLinesAreRefused) {
    EXPECT_EQ(parse_error("HTTP/2 200 OK\r\n\r\n"), http::error::bad_version);
    EXPECT_EQ(parse_error("ICY 200 OK\r\n\r\n"), http::error::bad_version);
    EXPECT_EQ(parse_error("HTTP/1.1  200 OK\r\n\r\n"), http::error::bad_status);
    EXPECT_EQ(parse_error("HTTP/1.1 20 OK\r\n\r\n"), http::error::bad_status);
    EXPECT_EQ(parse_error("HTTP/1.1 2000 OK\r\n\r\n"), http::error::bad_status);
    EXPECT_EQ(parse_error("HTTP/1.1 099 OK\r\n\r\n"), http::error::bad_status);
    EXPECT_EQ(parse_error("HTTP/1.1 200 O\x01K\r\n\r\n"), http::error::bad_reason);
    EXPECT_EQ(parse_error("HTTP/1.1 200 OK\nServer: x\r\n\r\n"), http::error::bad_line_ending);
}

TEST(ResponseParser, FieldLinesTwoReadersCouldSplitDifferentlyAreRefused) {
    const std::string line = "HTTP/1.1 200 OK\r\n";
    EXPECT_EQ(parse_error(line + "A: 1\r\n folded\r\n\r\n"), http::error::bad_value);
    EXPECT_EQ(parse_error(line + "A : 1\r\n\r\n"), http::error::bad_field);
    EXPECT_EQ(parse_error(line + "A: 1\x01\r\n\r\n"), http::error::bad_value);
    EXPECT_EQ(parse_error(line + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"),
              http::error::bad_transfer_encoding);
    EXPECT_EQ(parse_error(line + "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n"),
              http::error::bad_content_length);
    EXPECT_EQ(parse_error(line + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n"),
              http::error::multiple_content_length);
    EXPECT_EQ(parse_error(line + "Content-Length: -1\r\n\r\n"), http::error::bad_content_length);
    EXPECT_EQ(parse_error(line + "Transfer-Encoding: chunked, gzip, chunked\r\n\r\n"),
              http::error::bad_transfer_encoding);
    // A list of equal lengths is one length.
    response_parser parser;
    const auto got = parse(parser, line + "Content-Length: 3, 3\r\n\r\nabc");
    ASSERT_FALSE(got.ec);
    EXPECT_EQ(got.body, "abc");
}

TEST(ResponseParser, InterimAnswersAreReadPastWhetherTheyArriveWithTheFinalOneOrNot) {
    const std::string wire =
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    for (const std::size_t piece : {wire.size(), std::size_t{1}, std::size_t{9}, std::size_t{30}}) {
        response_parser parser;
        const auto got = parse_in_pieces(parser, wire, piece);
        ASSERT_FALSE(got.ec) << piece;
        EXPECT_EQ(parser.status(), 200);
        EXPECT_FALSE(parser.fields().contains("Link")) << "an interim answer's field";
        EXPECT_EQ(got.body, "hello");
        EXPECT_EQ(got.used, wire.size());
    }
}

TEST(ResponseParser, AChunkedBodyArrivesWholeHoweverItIsCutAndWindowed) {
    const std::string wire =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;name=value\r\nhello\r\n1\r\n,\r\nc\r\n great world\r\n0\r\nTrailer-Field: x\r\n\r\n"
        "HTTP/1.1 200 OK\r\n";  // the next answer on the connection
    const std::size_t end = wire.size() - 17;
    for (const std::size_t piece : {wire.size(), std::size_t{1}, std::size_t{4}, std::size_t{13}}) {
        for (const std::size_t window : {std::size_t{1}, std::size_t{3}, std::size_t{64}}) {
            response_parser parser;
            const auto got = parse_in_pieces(parser, wire, piece, window);
            ASSERT_FALSE(got.ec) << piece << " " << window;
            EXPECT_EQ(got.body, "hello, great world") << piece << " " << window;
            EXPECT_EQ(got.used, end) << "the next answer's bytes stay";
            EXPECT_TRUE(parser.keep_alive());
            EXPECT_FALSE(parser.content_length());
        }
    }
}

TEST(ResponseParser, MalformedChunksAreRefused) {
    const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    EXPECT_EQ(parse_error(head + "zz\r\n"), http::error::bad_chunk);
    EXPECT_EQ(parse_error(head + "2\r\nabX\r\n0\r\n\r\n"), http::error::bad_chunk);
    EXPECT_EQ(parse_error(head + "2\n"), http::error::bad_line_ending);
    EXPECT_EQ(parse_error(head + "2 junk\r\nab\r\n"), http::error::bad_chunk_extension);
    EXPECT_EQ(parse_error(head + "1000000000000000\r\n"), http::error::bad_chunk);
    EXPECT_EQ(parse_error(head + "0\r\nBad Trailer: x\r\n\r\n"), http::error::bad_field);
}

TEST(ResponseParser, ABodyOfAnnouncedLengthFillsWindowsAndLeavesTheRest) {
    response_parser parser;
    const std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789next";
    error_code ec;
    std::size_t used = parser.put(asio::buffer(wire), ec);
    ASSERT_FALSE(ec);
    ASSERT_TRUE(parser.is_header_done());
    EXPECT_EQ(parser.content_length(), 10u);
    EXPECT_EQ(parser.content_length_remaining(), 10u);
    // No window yet: body bytes wait.
    EXPECT_EQ(parser.put(asio::buffer(wire.data() + used, wire.size() - used), ec), 0u);
    EXPECT_EQ(ec, http::error::need_buffer);
    char window[4];
    parser.body_window(window, sizeof window);
    used += parser.put(asio::buffer(wire.data() + used, wire.size() - used), ec);
    EXPECT_EQ(ec, http::error::need_buffer);
    EXPECT_EQ(std::string(window, 4), "0123");
    EXPECT_EQ(parser.content_length_remaining(), 6u);
    char rest[16];
    parser.body_window(rest, sizeof rest);
    used += parser.put(asio::buffer(wire.data() + used, wire.size() - used), ec);
    EXPECT_FALSE(ec);
    EXPECT_TRUE(parser.is_done());
    EXPECT_EQ(std::string(rest, sizeof rest - parser.window_left()), "456789");
    EXPECT_EQ(wire.substr(used), "next");
    EXPECT_EQ(parser.content_length_remaining(), 0u);
}

TEST(ResponseParser, ABodyWithoutLengthEndsWithTheConnection) {
    for (const std::string framing : {"", "Transfer-Encoding: gzip\r\n"}) {
        response_parser parser;
        const auto got = parse(parser, "HTTP/1.1 200 OK\r\n" + framing + "\r\nall of it");
        EXPECT_EQ(got.ec, http::error::need_more);
        EXPECT_EQ(got.body, "all of it");
        EXPECT_FALSE(parser.keep_alive());
        error_code ec;
        parser.put_eof(ec);
        EXPECT_FALSE(ec);
        EXPECT_TRUE(parser.is_done());
    }
}

TEST(ResponseParser, AConnectionThatEndsEarlyCutsTheAnswer) {
    for (const std::string wire :
         {"HTTP/1.1 200 OK\r\nContent-Le", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc",
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"}) {
        response_parser parser;
        EXPECT_EQ(parse(parser, wire).ec, http::error::need_more);
        error_code ec;
        parser.put_eof(ec);
        EXPECT_EQ(ec, http::error::partial_message) << wire;
    }
}

TEST(ResponseParser, SomeAnswersHaveNoBodyWhateverTheirHeadSays) {
    for (const std::string line :
         {"HTTP/1.1 204 No Content\r\n", "HTTP/1.1 304 Not Modified\r\n"}) {
        response_parser parser;
        const auto got = parse(parser, line + "Content-Length: 10\r\n\r\n");
        ASSERT_FALSE(got.ec) << line;
        EXPECT_TRUE(parser.is_done());
        EXPECT_TRUE(parser.keep_alive());
    }
    response_parser head;
    head.head_request();
    const auto got = parse(head, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
    ASSERT_FALSE(got.ec);
    EXPECT_TRUE(head.is_done());
    EXPECT_TRUE(head.keep_alive());
    EXPECT_FALSE(head.content_length());
}

TEST(ResponseParser, TheConnectionStaysOpenAsTheVersionAndItsFieldsSay) {
    const auto keeps = [](const std::string& head) {
        response_parser parser;
        EXPECT_FALSE(parse(parser, head + "Content-Length: 0\r\n\r\n").ec) << head;
        return parser.keep_alive();
    };
    EXPECT_TRUE(keeps("HTTP/1.1 200 OK\r\n"));
    EXPECT_FALSE(keeps("HTTP/1.1 200 OK\r\nConnection: close\r\n"));
    EXPECT_FALSE(keeps("HTTP/1.1 200 OK\r\nConnection: Upgrade, Close\r\n"));
    EXPECT_FALSE(keeps("HTTP/1.0 200 OK\r\n"));
    EXPECT_TRUE(keeps("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"));
}

TEST(ResponseParser, AHeadPastTheLimitIsRefusedHoweverItArrives) {
    const std::string wire =
        "HTTP/1.1 200 OK\r\nX-Long: " + std::string(300, 'v') + "\r\nContent-Length: 0\r\n\r\n";
    for (const std::size_t piece : {wire.size(), std::size_t{7}}) {
        response_parser small;
        small.header_limit(128);
        EXPECT_EQ(parse_in_pieces(small, wire, piece).ec, http::error::header_limit);
        response_parser large;
        large.header_limit(512);
        EXPECT_FALSE(parse_in_pieces(large, wire, piece).ec);
        EXPECT_EQ(large.fields()["X-Long"].size(), 300u);
    }
}

}  // namespace
}  // namespace hadrian::upstream
