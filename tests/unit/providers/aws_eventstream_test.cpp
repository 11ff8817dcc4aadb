// The AWS event-stream decoder: frames built by a small encoder below (the same framing the
// integration test's fake Bedrock writes), fed whole, split at every byte, corrupted and
// oversized.
#include "providers/aws_eventstream.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace es = hadrian::providers::aws_eventstream;

namespace {

void put_u32(std::string& out, std::uint32_t v) {
    out += static_cast<char>(v >> 24);
    out += static_cast<char>(v >> 16);
    out += static_cast<char>(v >> 8);
    out += static_cast<char>(v);
}

void put_u16(std::string& out, std::uint16_t v) {
    out += static_cast<char>(v >> 8);
    out += static_cast<char>(v);
}

/// One header of any type, encoded as the framing defines it.
std::string raw_header(const std::string& name, std::uint8_t type, const std::string& value) {
    std::string out;
    out += static_cast<char>(name.size());
    out += name;
    out += static_cast<char>(type);
    if (type == 6 || type == 7) {
        put_u16(out, static_cast<std::uint16_t>(value.size()));
    }
    out += value;
    return out;
}

std::string string_header(const std::string& name, const std::string& value) {
    return raw_header(name, 7, value);
}

/// A whole message: prelude, prelude CRC, headers, payload, message CRC.
std::string encode(const std::string& headers, const std::string& payload) {
    std::string out;
    put_u32(out, static_cast<std::uint32_t>(12 + headers.size() + payload.size() + 4));
    put_u32(out, static_cast<std::uint32_t>(headers.size()));
    put_u32(out, es::crc32(out));
    out += headers;
    out += payload;
    put_u32(out, es::crc32(out));
    return out;
}

std::string event(const std::string& type, const std::string& payload) {
    return encode(string_header(":event-type", type) +
                      string_header(":content-type", "application/json") +
                      string_header(":message-type", "event"),
                  payload);
}

TEST(aws_eventstream, crc32_is_the_zlib_one) {
    EXPECT_EQ(es::crc32(""), 0U);
    EXPECT_EQ(es::crc32("123456789"), 0xCBF43926U);
    EXPECT_EQ(es::crc32("56789", es::crc32("1234")), 0xCBF43926U);
}

TEST(aws_eventstream, decodes_the_empty_message) {
    // The smallest valid message: no headers, no payload (16 bytes), CRCs spelled out.
    std::string frame;
    put_u32(frame, 16);
    put_u32(frame, 0);
    put_u32(frame, 0x05C248EB);
    put_u32(frame, 0x7D98C8FF);
    es::decoder d;
    std::vector<es::message> out;
    ASSERT_TRUE(d.feed(frame, out)) << d.error();
    ASSERT_EQ(out.size(), 1U);
    EXPECT_TRUE(out[0].headers.empty());
    EXPECT_TRUE(out[0].payload.empty());
    EXPECT_FALSE(d.has_partial_message());
}

TEST(aws_eventstream, decodes_headers_and_payload) {
    const std::string payload = R"({"contentBlockIndex":0,"delta":{"text":"hi"}})";
    es::decoder d;
    std::vector<es::message> out;
    ASSERT_TRUE(d.feed(event("contentBlockDelta", payload), out)) << d.error();
    ASSERT_EQ(out.size(), 1U);
    EXPECT_EQ(out[0].payload, payload);
    EXPECT_EQ(out[0].string_header(":event-type"), "contentBlockDelta");
    EXPECT_EQ(out[0].string_header(":message-type"), "event");
    EXPECT_EQ(out[0].string_header(":content-type"), "application/json");
    EXPECT_FALSE(out[0].string_header(":exception-type").has_value());
}

TEST(aws_eventstream, skips_every_other_header_type_correctly) {
    std::string headers;
    headers += raw_header("t", 0, "");
    headers += raw_header("f", 1, "");
    headers += raw_header("b", 2, std::string(1, '\x7f'));
    headers += raw_header("s", 3, std::string(2, '\x01'));
    headers += raw_header("i", 4, std::string(4, '\x02'));
    headers += raw_header("l", 5, std::string(8, '\x03'));
    headers += raw_header("bytes", 6, std::string("\x00\x01\x02", 3));
    headers += raw_header("ts", 8, std::string(8, '\x04'));
    headers += raw_header("id", 9, std::string(16, '\x05'));
    headers += string_header(":event-type", "metadata");
    es::decoder d;
    std::vector<es::message> out;
    ASSERT_TRUE(d.feed(encode(headers, "{}"), out)) << d.error();
    ASSERT_EQ(out.size(), 1U);
    ASSERT_EQ(out[0].headers.size(), 10U);
    EXPECT_EQ(out[0].headers[6].value, std::string("\x00\x01\x02", 3));
    EXPECT_EQ(out[0].headers[8].value.size(), 16U);
    EXPECT_EQ(out[0].string_header(":event-type"), "metadata");
    EXPECT_EQ(out[0].payload, "{}");
}

TEST(aws_eventstream, accepts_bytes_split_at_every_position) {
    const std::string stream = event("messageStart", R"({"role":"assistant"})") +
                               event("contentBlockDelta", R"({"delta":{"text":"a"}})") +
                               event("messageStop", R"({"stopReason":"end_turn"})");
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        es::decoder d;
        std::vector<es::message> out;
        ASSERT_TRUE(d.feed(std::string_view(stream).substr(0, cut), out)) << cut;
        ASSERT_TRUE(d.feed(std::string_view(stream).substr(cut), out)) << cut;
        ASSERT_EQ(out.size(), 3U) << cut;
        EXPECT_EQ(out[2].string_header(":event-type"), "messageStop");
        EXPECT_FALSE(d.has_partial_message());
    }
    // And one byte at a time.
    es::decoder d;
    std::vector<es::message> out;
    for (char c : stream) {
        ASSERT_TRUE(d.feed(std::string_view(&c, 1), out));
    }
    ASSERT_EQ(out.size(), 3U);
    EXPECT_EQ(out[1].payload, R"({"delta":{"text":"a"}})");
}

TEST(aws_eventstream, a_truncated_message_is_partial) {
    const std::string frame = event("messageStop", "{}");
    es::decoder d;
    std::vector<es::message> out;
    ASSERT_TRUE(d.feed(std::string_view(frame).substr(0, frame.size() - 1), out));
    EXPECT_TRUE(out.empty());
    EXPECT_TRUE(d.has_partial_message());
}

TEST(aws_eventstream, detects_corruption_of_every_byte) {
    const std::string frame = event("contentBlockDelta", R"({"delta":{"text":"abc"}})");
    for (std::size_t i = 0; i < frame.size(); ++i) {
        std::string bad = frame;
        bad[i] = static_cast<char>(bad[i] ^ 0x01);
        es::decoder d;
        std::vector<es::message> out;
        EXPECT_FALSE(d.feed(bad, out)) << i;
        EXPECT_TRUE(out.empty()) << i;
        EXPECT_NE(d.error().find("checksum"), std::string::npos) << i << ": " << d.error();
    }
}

TEST(aws_eventstream, prelude_crc_is_checked_before_waiting_for_the_body) {
    std::string frame = event("messageStop", "{}");
    frame[3] = static_cast<char>(0x7f);  // a length that would ask for much more
    es::decoder d;
    std::vector<es::message> out;
    EXPECT_FALSE(d.feed(std::string_view(frame).substr(0, 12), out));
    EXPECT_NE(d.error().find("prelude checksum"), std::string::npos);
    // Failed for good.
    EXPECT_FALSE(d.feed(event("messageStop", "{}"), out));
}

TEST(aws_eventstream, rejects_oversized_and_undersized_messages) {
    es::decoder small(64);
    std::vector<es::message> out;
    EXPECT_FALSE(small.feed(event("contentBlockDelta", std::string(100, 'x')), out));
    EXPECT_NE(small.error().find("out of bounds"), std::string::npos);

    // A valid prelude CRC over a declared length of 15 (< 16).
    std::string tiny;
    put_u32(tiny, 15);
    put_u32(tiny, 0);
    put_u32(tiny, es::crc32(tiny));
    es::decoder d;
    EXPECT_FALSE(d.feed(tiny, out));

    // A headers length beyond the message.
    std::string lying;
    put_u32(lying, 20);
    put_u32(lying, 10);
    put_u32(lying, es::crc32(lying));
    es::decoder d2;
    EXPECT_FALSE(d2.feed(lying, out));
    EXPECT_TRUE(out.empty());
}

TEST(aws_eventstream, rejects_malformed_headers) {
    // A string header whose length runs past the header section, with valid CRCs.
    std::string headers;
    headers += '\x01';
    headers += 'a';
    headers += '\x07';
    put_u16(headers, 50);
    headers += "abc";
    es::decoder d;
    std::vector<es::message> out;
    EXPECT_FALSE(d.feed(encode(headers, "{}"), out));
    EXPECT_NE(d.error().find("malformed header"), std::string::npos);

    es::decoder d2;
    EXPECT_FALSE(d2.feed(encode(raw_header("x", 42, ""), "{}"), out));
    EXPECT_NE(d2.error().find("unknown header value type"), std::string::npos);
}

}  // namespace
