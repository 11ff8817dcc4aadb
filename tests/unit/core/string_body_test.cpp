// core::string_body: a request body parsed in pieces arrives whole and in order, in a string
// reserved once for the announced length; bodies over the parser's limit are refused.
#include "hadrian/core/string_body.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/parser.hpp>
#include <string>

namespace hadrian::core {
namespace {

std::string request_with(const std::string& body) {
    return "POST /api/v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(StringBody, ABodyFedInPiecesArrivesWholeInOneReservedString) {
    std::string body;
    for (int i = 0; i < 5000; ++i) {
        body += static_cast<char>('a' + i % 26);
    }
    const std::string wire = request_with(body);
    http::request_parser<string_body> parser;
    std::size_t at = 0;
    const char* first_byte = nullptr;
    for (std::size_t piece = 1; at < wire.size(); piece = piece % 97 + 13) {
        const std::size_t n = std::min(piece, wire.size() - at);
        error_code ec;
        at += parser.put(asio::buffer(wire.data() + at, n), ec);
        ASSERT_TRUE(!ec || ec == http::error::need_more) << ec.message();
        if (parser.is_header_done() && first_byte == nullptr && !parser.get().body().empty()) {
            first_byte = parser.get().body().data();
            EXPECT_GE(parser.get().body().capacity(), body.size()) << "reserved for the length";
        }
    }
    ASSERT_TRUE(parser.is_done());
    EXPECT_EQ(parser.get().body(), body);
    EXPECT_EQ(parser.get().body().data(), first_byte) << "never moved while growing";
}

TEST(StringBody, ABodyOverTheLimitIsRefused) {
    const std::string wire = request_with(std::string(200, 'x'));
    http::request_parser<string_body> parser;
    parser.body_limit(100);
    error_code ec;
    parser.put(asio::buffer(wire), ec);
    EXPECT_EQ(ec, http::error::body_limit);
}

}  // namespace
}  // namespace hadrian::core
