#include "hadrian/sse/writer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hadrian/sse/parser.hpp"

namespace hadrian::sse {
namespace {

struct write_case {
    std::string data;
    std::string type;
    std::string expected;
};

TEST(SseWriter, ExactOutput) {
    const write_case cases[] = {
        {"{\"a\":1}", "", "data: {\"a\":1}\n\n"},
        {"{}", "response.created", "event: response.created\ndata: {}\n\n"},
        {"a\nb", "", "data: a\ndata: b\n\n"},
        {"a\nb\nc", "t", "event: t\ndata: a\ndata: b\ndata: c\n\n"},
        {"", "", "data: \n\n"},
        {"\n", "", "data: \ndata: \n\n"},
        {"a\n", "", "data: a\ndata: \n\n"},
        {"\na", "", "data: \ndata: a\n\n"},
        {" lead", "", "data:  lead\n\n"},
        {"[DONE]", "", "data: [DONE]\n\n"},
        {"a\r\nb", "", "data: a\ndata: b\n\n"},
        {"a\rb", "", "data: a\ndata: b\n\n"},
        {"a\revent: injected", "", "data: a\ndata: event: injected\n\n"},
        {"a\nb\rc", "", "data: a\ndata: b\ndata: c\n\n"},
        {"a\rb\nc", "", "data: a\ndata: b\ndata: c\n\n"},
        {"\r\n\r", "", "data: \ndata: \ndata: \n\n"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(format_event(c.data, c.type), c.expected) << ::testing::PrintToString(c.data);
    }
}

TEST(SseWriter, AppendKeepsWhatIsThere) {
    std::string out = "data: first\n\n";
    append_event(out, "second");
    append_event(out, "third", "x");
    EXPECT_EQ(out, "data: first\n\ndata: second\n\nevent: x\ndata: third\n\n");
}

TEST(SseWriter, DoneEvent) { EXPECT_EQ(done_event, format_event("[DONE]")); }

TEST(SseWriter, RoundTrip) {
    struct row {
        std::string data;
        std::string type;
    };
    const row rows[] = {
        {"{\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}", ""},
        {"{\"type\":\"response.output_text.delta\",\"delta\":\" x\"}",
         "response.output_text.delta"},
        {"", ""},
        {"", "ping"},
        {"\n", ""},
        {"line one\nline two\n\nline four", "multi"},
        {"  two leading spaces", ""},
        {":not a comment", ""},
        {"data: nested", "event"},
        {"trailing\n", ""},
        {"[DONE]", ""},
        {"héllo ✓", "ünïcode"},
    };
    std::string stream;
    std::vector<event> expected;
    for (const auto& r : rows) {
        const std::string one = format_event(r.data, r.type);
        parser p;
        std::vector<event> out;
        ASSERT_TRUE(p.feed(one, out));
        ASSERT_EQ(out.size(), 1u) << ::testing::PrintToString(r.data);
        EXPECT_EQ(out[0].data, r.data);
        EXPECT_EQ(out[0].event, r.type);
        EXPECT_FALSE(p.has_partial_event());
        stream += one;
        expected.push_back(event{r.type, r.data, {}});
    }
    // All of them as one stream, one byte at a time.
    parser p;
    std::vector<event> out;
    for (char c : stream) {
        ASSERT_TRUE(p.feed(std::string_view(&c, 1), out));
    }
    ASSERT_EQ(out.size(), expected.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        EXPECT_EQ(out[i].data, expected[i].data) << i;
        EXPECT_EQ(out[i].event, expected[i].event) << i;
    }
}

}  // namespace
}  // namespace hadrian::sse
