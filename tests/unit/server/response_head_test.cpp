#include "server/response_head.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hadrian::server {
namespace {

std::string written(const response_head& h, unsigned version, int status, bool keep_alive,
                    std::string_view framing) {
    std::string out;
    h.write(out, version, status, keep_alive, framing);
    return out;
}

TEST(ResponseHead, StatusLineFieldsInOrderFramingAndBlankLine) {
    response_head h;
    h.add("Content-Type", "application/json");
    h.add("Server", "hadrian");
    EXPECT_EQ(written(h, 11, 200, true, "Content-Length: 2"),
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nServer: hadrian\r\n"
              "Content-Length: 2\r\n\r\n");
}

TEST(ResponseHead, TheLastFieldOfANameWinsInAnyCase) {
    response_head h;
    h.add("Content-Type", "text/plain");
    h.add("X-RateLimit-Limit", "10");
    h.add("X-Model", "a");
    h.add("x-ratelimit-limit", "20");
    h.add("X-RateLimit-Remaining", "9");
    h.add("CONTENT-TYPE", "application/json");
    EXPECT_EQ(written(h, 11, 429, true, ""),
              "HTTP/1.1 429 Too Many Requests\r\nX-Model: a\r\nx-ratelimit-limit: 20\r\n"
              "X-RateLimit-Remaining: 9\r\nCONTENT-TYPE: application/json\r\n\r\n");
}

TEST(ResponseHead, NamesAlikeInLengthAndBytesAreStillDifferent) {
    // Same length, same last, middle and third bytes (the quick key) but different names.
    response_head h;
    h.add("X-Input-Tokens", "1");
    h.add("X-Inpux-Tokens", "2");
    h.add("Y-Input-Tokens", "3");
    EXPECT_EQ(
        written(h, 11, 200, true, ""),
        "HTTP/1.1 200 OK\r\nX-Input-Tokens: 1\r\nX-Inpux-Tokens: 2\r\nY-Input-Tokens: 3\r\n\r\n");
}

TEST(ResponseHead, FramingFieldsOfTheCallerAreLeftOut) {
    response_head h;
    h.add("content-length", "999");
    h.add("Transfer-Encoding", "chunked");
    h.add("CONNECTION", "upgrade");
    h.add("", "nameless");
    h.add("X-Kept", "yes");
    EXPECT_EQ(written(h, 11, 200, false, "Content-Length: 0"),
              "HTTP/1.1 200 OK\r\nX-Kept: yes\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
}

TEST(ResponseHead, ConnectionWhenKeepAliveIsNotTheVersionsDefault) {
    EXPECT_EQ(written(response_head(), 10, 204, true, ""),
              "HTTP/1.0 204 No Content\r\nConnection: keep-alive\r\n\r\n");
    EXPECT_EQ(written(response_head(), 10, 204, false, ""), "HTTP/1.0 204 No Content\r\n\r\n");
    EXPECT_EQ(written(response_head(), 11, 204, true, ""), "HTTP/1.1 204 No Content\r\n\r\n");
}

TEST(ResponseHead, FieldsBeyondTheLimitAreLeftOutAndManyOverridesResolve) {
    response_head h;
    std::string names[response_head::max_fields + 4];
    for (std::size_t i = 0; i < std::size(names); ++i) {
        names[i] = "X-F" + std::to_string(i % 5);  // five names, each added many times
        h.add(names[i], names[i] == "X-F0" ? "first" : "v");
    }
    h.add("X-Late", "dropped");
    const std::string head = written(h, 11, 200, true, "");
    EXPECT_EQ(head.find("X-Late"), std::string::npos) << head;
    // The 48 fields kept end with X-F2 (47 % 5): each name once, with its last value.
    EXPECT_EQ(head,
              "HTTP/1.1 200 OK\r\nX-F3: v\r\nX-F4: v\r\nX-F0: first\r\nX-F1: v\r\nX-F2: v\r\n\r\n");
}

TEST(ResponseHead, WriteReplacesWhatTheStringHeld) {
    response_head h;
    h.add("Server", "hadrian");
    std::string out(1000, 'x');
    h.write(out, 11, 204, true, "");
    EXPECT_EQ(out, "HTTP/1.1 204 No Content\r\nServer: hadrian\r\n\r\n");
    EXPECT_GE(out.capacity(), 1000U);  // the room was kept for the next head
}

}  // namespace
}  // namespace hadrian::server
