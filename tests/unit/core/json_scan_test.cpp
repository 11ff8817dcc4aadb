#include "hadrian/core/json_scan.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

namespace hadrian::core {
namespace {

std::vector<std::pair<std::string, std::string>> members(std::string_view text,
                                                         bool* ok = nullptr) {
    std::vector<std::pair<std::string, std::string>> out;
    const bool good = json_members(text, [&](const json_member& m) {
        out.emplace_back(m.key, std::string(m.value));
        return true;
    });
    if (ok != nullptr) {
        *ok = good;
    }
    return out;
}

TEST(JsonScan, TopLevelMembersWithTheirExactValueText) {
    bool ok = false;
    const auto m =
        members(R"( {"model":"gpt-4o", "n" : 2,"messages":[{"role":"user","content":"a]}\"{"}],)"
                R"("usage":{"a":{"b":[1,2]}},"t":true,"x":null,"f":-1.5e3} )",
                &ok);
    EXPECT_TRUE(ok);
    ASSERT_EQ(m.size(), 7u);
    EXPECT_EQ(m[0], (std::pair<std::string, std::string>{"model", R"("gpt-4o")"}));
    EXPECT_EQ(m[1].second, "2");
    EXPECT_EQ(m[2].second, R"([{"role":"user","content":"a]}\"{"}])");
    EXPECT_EQ(m[3].second, R"({"a":{"b":[1,2]}})");
    EXPECT_EQ(m[4].second, "true");
    EXPECT_EQ(m[5].second, "null");
    EXPECT_EQ(m[6].second, "-1.5e3");
}

TEST(JsonScan, EscapedKeysAreUnescaped) {
    const auto m = members(R"({"mo\u0064el":"x","a\\":1})");
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[0].first, "model");
    EXPECT_EQ(m[1].first, "a\\");
}

TEST(JsonScan, MalformedTextIsRefused) {
    for (std::string_view bad :
         {"", "[]", "{", R"({"a":})", R"({"a" 1})", R"({"a":1,})", R"({"a":[1,2})",
          R"({"a":"unterminated})", R"({"a":{"b":1]})", R"({"a":1} x)", R"({a:1})"}) {
        bool ok = true;
        members(bad, &ok);
        EXPECT_FALSE(ok) << bad;
    }
    bool ok = false;
    members("{}", &ok);
    EXPECT_TRUE(ok);
}

TEST(JsonScan, MemberValueAndFirstElement) {
    const std::string_view body =
        R"({"id":"x","choices":[{"index":0,"finish_reason":"length"},{"index":1}],"usage":{}})";
    const auto choices = json_member_value(body, "choices");
    ASSERT_TRUE(choices);
    const auto first = json_first_element(*choices);
    ASSERT_TRUE(first);
    EXPECT_EQ(*first, R"({"index":0,"finish_reason":"length"})");
    EXPECT_EQ(json_string_value(*json_member_value(*first, "finish_reason")), "length");
    EXPECT_FALSE(json_member_value(body, "missing"));
    EXPECT_FALSE(json_first_element("[]"));
    EXPECT_FALSE(json_first_element("{}"));
}

TEST(JsonScan, EachElementOfAnArray) {
    std::vector<std::string> seen;
    const auto collect = [&](std::string_view e) {
        seen.emplace_back(e);
        return true;
    };
    EXPECT_TRUE(json_elements(R"( [ {"a":[1,"]"]} , "x" ,3,null ] )", collect));
    EXPECT_EQ(seen, (std::vector<std::string>{R"({"a":[1,"]"]})", R"("x")", "3", "null"}));
    seen.clear();
    EXPECT_TRUE(json_elements("[]", collect));
    EXPECT_TRUE(seen.empty());
    EXPECT_FALSE(json_elements("[1,]", collect));
    EXPECT_FALSE(json_elements("[1 2]", collect));
    EXPECT_FALSE(json_elements("{}", collect));
    // Stopping early: the rest is not looked at.
    seen.clear();
    EXPECT_TRUE(json_elements("[1,2,3]", [&](std::string_view e) {
        seen.emplace_back(e);
        return false;
    }));
    EXPECT_EQ(seen, (std::vector<std::string>{"1"}));
}

TEST(JsonScan, LongStringsAndDeepNestingAreSkipped) {
    std::string big = R"({"image":")" + std::string(1 << 20, 'A') + R"(","max_tokens":5})";
    EXPECT_EQ(json_member_value(big, "max_tokens"), "5");
    std::string deep = R"({"a":)" + std::string(600, '[') + std::string(600, ']') + "}";
    bool ok = true;
    members(deep, &ok);
    EXPECT_FALSE(ok) << "deeper than the bound";
}

TEST(JsonScan, EscapesAtEveryPlaceOfABlockAreSkippedAsTheParserReadsThem) {
    // Strings are searched 32 or 16 bytes at a time: an escaped quote or backslash at each
    // offset across the blocks and the tail, with the member after it found where the parser
    // finds it.
    for (std::size_t at = 0; at < 72; ++at) {
        for (std::string_view esc : {R"(\")", R"(\\)", R"(\\\")", R"(\u0022)", R"(\/)"}) {
            std::string value = std::string(at, 'x') + std::string(esc) + "y]}";
            const std::string text =
                R"({"k":")" + value + R"(","arr":["a\"]",{"b":")" + value + R"("}],"after":7})";
            const auto parsed = nlohmann::json::parse(text);
            bool ok = false;
            const auto m = members(text, &ok);
            ASSERT_TRUE(ok) << text;
            ASSERT_EQ(m.size(), 3u) << text;
            EXPECT_EQ(nlohmann::json::parse(m[0].second), parsed["k"]) << text;
            EXPECT_EQ(nlohmann::json::parse(m[1].second), parsed["arr"]) << text;
            EXPECT_EQ(m[2].second, "7") << text;
        }
        // A backslash escaping the closing quote leaves the string open.
        bool ok = true;
        members(R"({"k":")" + std::string(at, 'x') + R"(\"})", &ok);
        EXPECT_FALSE(ok) << at;
        members(R"({"k":")" + std::string(at, 'x') + "\\", &ok);
        EXPECT_FALSE(ok) << at;
    }
}

TEST(JsonScan, AWalkDescendsIntoValuesAndReportsEachSize) {
    // The text after the object is not part of it: the walk reports the object's own size.
    const std::string doc =
        R"({"model":"m","messages":[{"role":"user","content":"a]}\"["},{"role":"tool"}] ,"n":2})";
    const std::string text = doc + R"(,"next":true})";
    std::vector<std::string> keys;
    std::vector<std::string> roles;
    const std::size_t size = json_object_at(text, [&](std::string_view key, std::string_view v) {
        keys.emplace_back(key);
        if (key != "messages") {
            return json_value_size(v);
        }
        const std::size_t n = json_array_at(v, [&](std::string_view m) {
            return json_object_at(m, [&](std::string_view k, std::string_view mv) {
                const std::size_t vn = json_value_size(mv);
                if (k == "role") {
                    roles.emplace_back(mv.substr(0, vn));
                }
                return vn;
            });
        });
        EXPECT_EQ(v.substr(0, n), R"([{"role":"user","content":"a]}\"["},{"role":"tool"}])");
        return n;
    });
    EXPECT_EQ(size, doc.size());
    EXPECT_EQ(keys, (std::vector<std::string>{"model", "messages", "n"}));
    EXPECT_EQ(roles, (std::vector<std::string>{R"("user")", R"("tool")"}));
    EXPECT_EQ(json_array_at(" [1]", [](std::string_view v) { return json_value_size(v); }),
              json_npos)
        << "a walk starts at the value's first byte";
}

TEST(JsonScan, AWalkGivesUpOnMalformedTextOrWhenItsVisitorDoes) {
    const auto skip_all = [](std::string_view, std::string_view v) { return json_value_size(v); };
    for (std::string_view bad :
         {"", "{", R"({"a":)", R"({"a" 1})", R"({"a":1,})", R"({"a":1 "b":2})", R"({"a":[1,2})",
          R"({"a":"x)", R"({a:1})", "[]"}) {
        EXPECT_EQ(json_object_at(bad, skip_all), json_npos) << bad;
    }
    EXPECT_EQ(json_object_at("{}", skip_all), 2u);
    EXPECT_EQ(json_object_at(R"({"a":1,"b":2})",
                             [](std::string_view key, std::string_view v) {
                                 return key == "b" ? json_npos : json_value_size(v);
                             }),
              json_npos);
    const auto skip_element = [](std::string_view v) { return json_value_size(v); };
    for (std::string_view bad : {"", "[", "[1,", "[1 2]", "[1,]", "{}"}) {
        EXPECT_EQ(json_array_at(bad, skip_element), json_npos) << bad;
    }
    EXPECT_EQ(json_array_at("[ ]", skip_element), 3u);
}

TEST(JsonScan, StringValue) {
    EXPECT_EQ(json_string_value(R"("plain")"), "plain");
    EXPECT_EQ(json_string_value(R"("tab\there \"q\" \u00e9")"), "tab\there \"q\" \xc3\xa9");
    EXPECT_FALSE(json_string_value("12"));
    EXPECT_FALSE(json_string_value(R"("open)"));
}

/// `text` with the bytes of `span` replaced by `replacement`.
std::string replaced(std::string_view text, json_span span, std::string_view replacement) {
    return std::string(text.substr(0, span.offset)) + std::string(replacement) +
           std::string(text.substr(span.offset + span.size));
}

/// `body` with its top-level `model` value replaced by `model` quoted, as the proxy does.
std::string with_model(std::string_view body, std::string_view model) {
    const auto value = json_member_value(body, "model");
    EXPECT_TRUE(value.has_value()) << body;
    return value ? replaced(body, json_span_of(body, *value), json_quote(model))
                 : std::string(body);
}

TEST(JsonScan, SpanOfAView) {
    const std::string_view body = R"({"a":1,"model":"x","b":[2]})";
    const auto value = json_member_value(body, "model");
    ASSERT_TRUE(value);
    const json_span span = json_span_of(body, *value);
    EXPECT_EQ(span.offset, 15u);
    EXPECT_EQ(span.size, 3u);
    EXPECT_EQ(replaced(body, span, R"("gpt-4o")"), R"({"a":1,"model":"gpt-4o","b":[2]})");
}

TEST(JsonScan, QuoteWritesWhatTheSerializerWrites) {
    const std::string samples[] = {
        "",
        "gpt-4o",
        "meta-llama/Llama-3.1-8B-Instruct:free",
        R"(quote " and backslash \ and \" both)",
        "tab\tnew\nline\rcr\x01\x1f",
        std::string("nul\0byte", 8),
        "del\x7f",
        "caf\xc3\xa9 \xe6\xa8\xa1\xe5\x9e\x8b \xf0\x9f\x98\x80",
        "bad \xff utf-8 \xc3",
    };
    for (const auto& s : samples) {
        EXPECT_EQ(json_quote(s),
                  nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
            << s;
    }
    EXPECT_EQ(json_quote(R"(a"b\c)"), R"("a\"b\\c")");
    EXPECT_EQ(nlohmann::json::parse(json_quote("caf\xc3\xa9\n\"")), "caf\xc3\xa9\n\"");
    for (const auto& s : samples) {
        std::string out = "{\"m\":";
        json_append_quoted(out, s);
        EXPECT_EQ(out, "{\"m\":" + json_quote(s)) << s;
    }
}

TEST(JsonScan, ModelReplacedWhereverItIsAndHoweverSpaced) {
    const std::string_view bodies[] = {
        R"({"model":"m","messages":[{"role":"user","content":"hi"}]})",
        R"({"messages":[{"role":"user","content":"\"model\":\"m\""}],"model":"m"})",
        R"({"temperature":0.5,"model":"m","stream":false})",
        " \n{ \"model\" :\t\"m\" ,\r\n  \"messages\" : [ ] }\n ",
        R"({"model":"a \"quoted\\\" name","n":1})",
        R"({"model":null,"n":1})",
        R"({"mo\u0064el":"m","n":1})",
    };
    const std::string models[] = {"gpt-4o", R"(we"ird\name)", "mod\xc3\xa8le \xe2\x9c\x93",
                                  "ctl\x01"};
    for (const auto body : bodies) {
        for (const auto& model : models) {
            const std::string out = with_model(body, model);
            auto expected = nlohmann::json::parse(body);
            expected["model"] = model;
            auto got = nlohmann::json::parse(out, nullptr, false);
            ASSERT_FALSE(got.is_discarded()) << out;
            EXPECT_EQ(got, expected) << out;
        }
    }
    // Everything but the value stays byte for byte.
    EXPECT_EQ(with_model(" {\"n\" : 1.50 ,\n \"model\" : \"m\" }", "x\"y"),
              " {\"n\" : 1.50 ,\n \"model\" : \"x\\\"y\" }");
}

}  // namespace
}  // namespace hadrian::core
