#include "hadrian/sse/parser.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "hadrian/sse/writer.hpp"

namespace hadrian::sse {

bool operator==(const event& a, const event& b) {
    return a.event == b.event && a.data == b.data && a.id == b.id;
}

void PrintTo(const event& e, std::ostream* os) {
    *os << "{event=" << ::testing::PrintToString(e.event)
        << ", data=" << ::testing::PrintToString(e.data)
        << ", id=" << ::testing::PrintToString(e.id) << "}";
}

namespace {

using namespace std::string_literals;

struct parse_result {
    bool ok = true;
    std::vector<event> events;
    bool partial = false;
};

/// Feeds `pieces` in order into one parser.
parse_result parse_pieces(const std::vector<std::string_view>& pieces,
                          std::size_t max_event_bytes = 16 * 1024 * 1024) {
    parser p(max_event_bytes);
    parse_result r;
    for (auto piece : pieces) {
        r.ok = p.feed(piece, r.events) && r.ok;
    }
    r.partial = p.has_partial_event();
    return r;
}

parse_result parse_whole(std::string_view input) { return parse_pieces({input}); }

parse_result parse_split_at(std::string_view input, std::size_t at) {
    return parse_pieces({input.substr(0, at), input.substr(at)});
}

parse_result parse_bytewise(std::string_view input) {
    std::vector<std::string_view> pieces;
    for (std::size_t i = 0; i < input.size(); ++i) {
        pieces.push_back(input.substr(i, 1));
    }
    return parse_pieces(pieces);
}

/// Whole, every two-piece split and one byte at a time must agree with `expected`.
void expect_any_split(std::string_view input, const std::vector<event>& expected,
                      const std::string& name) {
    const auto whole = parse_whole(input);
    EXPECT_TRUE(whole.ok) << name;
    EXPECT_EQ(whole.events, expected) << name << ": whole";
    for (std::size_t at = 0; at <= input.size(); ++at) {
        const auto split = parse_split_at(input, at);
        EXPECT_TRUE(split.ok) << name << ": split at " << at;
        EXPECT_EQ(split.events, expected) << name << ": split at " << at;
        EXPECT_EQ(split.partial, whole.partial) << name << ": split at " << at;
    }
    const auto bytewise = parse_bytewise(input);
    EXPECT_TRUE(bytewise.ok) << name << ": byte at a time";
    EXPECT_EQ(bytewise.events, expected) << name << ": byte at a time";
    EXPECT_EQ(bytewise.partial, whole.partial) << name << ": byte at a time";
}

event ev(std::string data, std::string type = {}, std::string id = {}) {
    return event{std::move(type), std::move(data), std::move(id)};
}

struct parse_case {
    std::string name;
    std::string input;
    std::vector<event> expected;
};

TEST(SseParser, TableAtEverySplit) {
    const parse_case cases[] = {
        {"lf", "data: hello\n\n", {ev("hello")}},
        {"crlf", "data: hello\r\n\r\n", {ev("hello")}},
        {"cr", "data: hello\r\r", {ev("hello")}},
        {"mixed line ends", "data: a\r\ndata: b\rdata: c\n\r\n", {ev("a\nb\nc")}},
        {"two events", "data: one\n\ndata: two\n\n", {ev("one"), ev("two")}},
        {"multi-line data",
         "data: first\ndata: second\ndata: third\n\n",
         {ev("first\nsecond\nthird")}},
        {"empty data line in the middle", "data: a\ndata:\ndata: b\n\n", {ev("a\n\nb")}},
        {"comments", ": keep-alive\n\ndata: x\n: inside an event\n\n:\n\n", {ev("x")}},
        {"event type", "event: response.created\ndata: {}\n\n", {ev("{}", "response.created")}},
        {"event type resets after dispatch",
         "event: a\ndata: 1\n\ndata: 2\n\n",
         {ev("1", "a"), ev("2")}},
        {"last event type wins", "event: a\nevent: b\ndata: x\n\n", {ev("x", "b")}},
        {"event field without value", "event\ndata: x\n\n", {ev("x")}},
        {"id persists across events",
         "id: 42\ndata: a\n\ndata: b\n\nid\ndata: c\n\n",
         {ev("a", "", "42"), ev("b", "", "42"), ev("c")}},
        {"id with NUL is ignored", "id: 1\nid: a\0b\ndata: x\n\n"s, {ev("x", "", "1")}},
        {"field without colon", "data\n\n", {ev("")}},
        {"two fields without colon", "data\ndata\n\n", {ev("\n")}},
        {"no space after colon", "data:x\n\n", {ev("x")}},
        {"only one space stripped", "data:  two spaces\n\n", {ev(" two spaces")}},
        {"colon inside value", "data: {\"a\":\"b: c\"}\n\n", {ev("{\"a\":\"b: c\"}")}},
        {"trailing spaces kept", "data: x  \n\n", {ev("x  ")}},
        {"leading bom",
         "\xEF\xBB\xBF"
         "data: x\n\n",
         {ev("x")}},
        {"bom only once",
         "\xEF\xBB\xBF\xEF\xBB\xBF"
         "data: x\n\ndata: y\n\n",
         {ev("y")}},
        {"partial bom is data",
         "\xEF\xBB"
         "data: x\n\ndata: y\n\n",
         {ev("y")}},
        {"bom alone", "\xEF\xBB\xBF", {}},
        {"event without data dropped", "event: ping\nid: 7\n\ndata: x\n\n", {ev("x", "", "7")}},
        {"unterminated final event", "data: a\n\ndata: b\n", {ev("a")}},
        {"unterminated final line", "data: a\n\ndata: b", {ev("a")}},
        {"final event ended by one cr", "data: a\r\r", {ev("a")}},
        {"done", "data: [DONE]\n\n", {ev("[DONE]")}},
        {"retry and unknown fields ignored",
         "retry: 1000\nfoo: bar\nDATA: no\ndata: x\n\n",
         {ev("x")}},
        {"extra blank lines", "\n\n\r\n\rdata: a\n\n\n\ndata: b\n\n", {ev("a"), ev("b")}},
        {"empty input", "", {}},
        {"space before field name", " data: x\n\n", {}},
        {"utf-8 data", "data: héllo – ✓\n\n", {ev("héllo – ✓")}},
    };
    for (const auto& c : cases) {
        expect_any_split(c.input, c.expected, c.name);
    }
}

TEST(SseParser, PartialEvent) {
    struct row {
        std::string input;
        bool partial;
    };
    const row rows[] = {
        {"", false},
        {"data: a\n\n", false},
        {": comment\n", false},
        {"data: a\n", true},
        {"dat", true},
        {"event: x\n", true},
        {"data: a\n\ndata: b", true},
        {"data: a\r", true},
        {"data: a\r\r", false},
        {"\xEF\xBB", true},
    };
    for (const auto& r : rows) {
        EXPECT_EQ(parse_whole(r.input).partial, r.partial) << ::testing::PrintToString(r.input);
        EXPECT_EQ(parse_bytewise(r.input).partial, r.partial) << ::testing::PrintToString(r.input);
    }
}

TEST(SseParser, CrLfSplitAcrossFeedsIsOneLineEnd) {
    parser p;
    std::vector<event> out;
    ASSERT_TRUE(p.feed("data: a\r", out));
    ASSERT_TRUE(p.feed("", out));  // an empty feed keeps the pending '\r'
    ASSERT_TRUE(p.feed("\ndata: b\r", out));
    EXPECT_TRUE(out.empty());
    ASSERT_TRUE(p.feed("\n\r\n", out));
    EXPECT_EQ(out, std::vector<event>{ev("a\nb")});
}

TEST(SseParser, EventsAppendToTheOutputVector) {
    parser p;
    std::vector<event> out{ev("earlier")};
    ASSERT_TRUE(p.feed("data: x\n\n", out));
    EXPECT_EQ(out, (std::vector<event>{ev("earlier"), ev("x")}));
}

TEST(SseParser, EventAtTheLimitIsAccepted) {
    const std::string data(16, 'x');
    const auto r = parse_pieces({"data: " + data + "\n\n"}, 16);
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.events, std::vector<event>{ev(data)});
}

TEST(SseParser, OverflowReturnsFalse) {
    struct row {
        std::string name;
        std::vector<std::string> pieces;
    };
    const row rows[] = {
        {"one long data line", {"data: " + std::string(17, 'x') + "\n\n"}},
        {"unterminated long line", {std::string(40, 'x')}},
        {"unterminated line across feeds", {"data: 0123456789", "0123456789", "0123456789"}},
        {"many data lines", {"data: 0123456\ndata: 0123456\ndata: 0123456\n"}},
        {"long comment without line end", {": " + std::string(40, 'x')}},
        {"long event type", {"event: " + std::string(17, 'x') + "\n"}},
    };
    for (const auto& r : rows) {
        std::vector<std::string_view> pieces(r.pieces.begin(), r.pieces.end());
        EXPECT_FALSE(parse_pieces(pieces, 16).ok) << r.name;
    }
}

TEST(SseParser, StopsAfterOverflow) {
    parser p(16);
    std::vector<event> out;
    ASSERT_TRUE(p.feed("data: ok\n\n", out));
    EXPECT_FALSE(p.feed("data: " + std::string(17, 'x') + "\n\n", out));
    EXPECT_FALSE(p.feed("data: small\n\n", out));
    EXPECT_EQ(out, std::vector<event>{ev("ok")});
}

TEST(SseParser, LongCommentsDoNotCountOnceTerminated) {
    // A terminated comment is not held, so keep-alive comments never fill the budget.
    parser p(16);
    std::vector<event> out;
    for (int i = 0; i < 100; ++i) {
        ASSERT_TRUE(p.feed(": 0123456789\n", out));
    }
    ASSERT_TRUE(p.feed("data: x\n\n", out));
    EXPECT_EQ(out, std::vector<event>{ev("x")});
}

/// Path of a recorded provider fixture under the repository's tests/fixtures.
std::filesystem::path fixture_path(const std::string& relative) {
    auto path = std::filesystem::path(HADRIAN_SOURCE_DIR) / "tests" / "fixtures" / relative;
    return std::filesystem::exists(path) ? path : std::filesystem::path();
}

TEST(SseParser, OpenAiChatStreamAtEverySplit) {
    const auto path = fixture_path("openai/chat_completion_streaming.json");
    ASSERT_FALSE(path.empty()) << "fixture openai/chat_completion_streaming.json";
    std::ifstream in(path);
    const auto fixture = nlohmann::json::parse(in);
    const auto& chunks = fixture.at("response").at("chunks");
    ASSERT_GT(chunks.size(), 2u);

    std::string wire;
    std::vector<event> expected;
    for (const auto& chunk : chunks) {
        const std::string data = chunk.dump();
        wire += "data: " + data + "\n\n";
        expected.push_back(ev(data));
    }
    wire += "data: [DONE]\n\n";
    expected.push_back(ev("[DONE]"));

    expect_any_split(wire, expected, "openai stream");

    // The same stream as an upstream may frame it: CRLF line ends and keep-alive comments.
    std::string crlf;
    for (const auto& e : expected) {
        crlf += ": keep-alive\r\ndata: " + e.data + "\r\n\r\n";
    }
    expect_any_split(crlf, expected, "openai stream, crlf");

    // Every event's JSON is intact.
    for (std::size_t i = 0; i + 1 < expected.size(); ++i) {
        EXPECT_EQ(nlohmann::json::parse(expected[i].data), chunks[i]);
    }
}

TEST(SseParser, ThreeWaySplitsOfAShortStream) {
    const std::string input =
        "\xEF\xBB\xBF"
        "event: e\r\ndata: a\rdata: b\r\n\r\ndata: [DONE]\n\n";
    const std::vector<event> expected{ev("a\nb", "e"), ev("[DONE]")};
    const std::string_view in = input;
    for (std::size_t i = 0; i <= in.size(); ++i) {
        for (std::size_t j = i; j <= in.size(); ++j) {
            const auto r = parse_pieces({in.substr(0, i), in.substr(i, j - i), in.substr(j)});
            EXPECT_TRUE(r.ok);
            EXPECT_EQ(r.events, expected) << "split at " << i << ", " << j;
        }
    }
}

}  // namespace
}  // namespace hadrian::sse
