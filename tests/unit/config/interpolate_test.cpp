// `${VAR}` / `${VAR:-default}` expansion of the raw configuration text.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>
#include <string>

#include "hadrian/config/config.hpp"
#include "scoped_env.hpp"

namespace hadrian::config {
namespace {

using ::testing::HasSubstr;

using hadrian::config::testing::scoped_env;

std::string error_of(const std::string& text) {
    try {
        interpolate_env(text);
    } catch (const config_error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(Interpolate, ExpandsSetVariable) {
    scoped_env a("HT_CFG_A", "alpha");
    EXPECT_EQ(interpolate_env("key = \"${HT_CFG_A}\"\n"), "key = \"alpha\"\n");
}

TEST(Interpolate, UnsetVariableWithoutDefaultNamesIt) {
    scoped_env u("HT_CFG_UNSET", std::nullopt);
    const std::string msg = error_of("a = 1\nb = 2\nkey = \"${HT_CFG_UNSET}\"\n");
    EXPECT_THAT(msg, HasSubstr("HT_CFG_UNSET"));
    EXPECT_THAT(msg, HasSubstr("not set"));
    EXPECT_THAT(msg, HasSubstr("line 3"));
}

TEST(Interpolate, DefaultWhenUnsetOrEmpty) {
    scoped_env u("HT_CFG_UNSET", std::nullopt);
    scoped_env e("HT_CFG_EMPTY", "");
    scoped_env a("HT_CFG_A", "alpha");
    EXPECT_EQ(interpolate_env("k = \"${HT_CFG_UNSET:-dflt}\""), "k = \"dflt\"");
    EXPECT_EQ(interpolate_env("k = \"${HT_CFG_EMPTY:-dflt}\""), "k = \"dflt\"");
    EXPECT_EQ(interpolate_env("k = \"${HT_CFG_A:-dflt}\""), "k = \"alpha\"");
    EXPECT_EQ(interpolate_env("k = \"${HT_CFG_UNSET:-}\""), "k = \"\"");
}

TEST(Interpolate, SetButEmptyWithoutDefaultIsEmpty) {
    scoped_env e("HT_CFG_EMPTY", "");
    EXPECT_EQ(interpolate_env("k = \"${HT_CFG_EMPTY}\""), "k = \"\"");
}

TEST(Interpolate, ReferencesInsideLongerText) {
    scoped_env h("HT_CFG_HOST", "example.com");
    scoped_env p("HT_CFG_PORT", std::nullopt);
    EXPECT_EQ(interpolate_env("url = \"https://${HT_CFG_HOST}:${HT_CFG_PORT:-443}/v1\""),
              "url = \"https://example.com:443/v1\"");
}

TEST(Interpolate, BareValuesBeforeParsing) {
    scoped_env p("HT_CFG_PORT", std::nullopt);
    const std::string text = interpolate_env("[server]\nport = ${HT_CFG_PORT:-8081}\n");
    EXPECT_EQ(text, "[server]\nport = 8081\n");
    EXPECT_EQ(parse(text)->server.port, 8081);

    scoped_env set("HT_CFG_PORT", "9000");
    EXPECT_EQ(parse(interpolate_env("[server]\nport = ${HT_CFG_PORT:-8081}\n"))->server.port, 9000);
}

TEST(Interpolate, CommentsAreLeftAlone) {
    scoped_env u("HT_CFG_UNSET", std::nullopt);
    const std::string text =
        "# a comment mentioning ${HT_CFG_UNSET}\n"
        "a = 1 # trailing ${HT_CFG_UNSET}\n"
        "   # indented ${HT_CFG_UNSET:-x}\n";
    EXPECT_EQ(interpolate_env(text), text);
}

TEST(Interpolate, HashInsideQuotedStringIsNotAComment) {
    scoped_env a("HT_CFG_A", "alpha");
    EXPECT_EQ(interpolate_env("k = \"x # ${HT_CFG_A}\" # ${HT_CFG_NOPE}"),
              "k = \"x # alpha\" # ${HT_CFG_NOPE}");
    EXPECT_EQ(interpolate_env("k = 'y # ${HT_CFG_A}'"), "k = 'y # alpha'");
    EXPECT_EQ(interpolate_env("k = \"esc \\\" # ${HT_CFG_A}\""), "k = \"esc \\\" # alpha\"");
    EXPECT_EQ(interpolate_env("k = \"\"\"\nline # ${HT_CFG_A}\n\"\"\""),
              "k = \"\"\"\nline # alpha\n\"\"\"");
    EXPECT_EQ(interpolate_env("k = '''\n# ${HT_CFG_A}\n'''"), "k = '''\n# alpha\n'''");
}

TEST(Interpolate, StateEndsAfterStringsAndComments) {
    scoped_env a("HT_CFG_A", "alpha");
    // After the closing quote a '#' is a comment again; after a newline code is code again.
    EXPECT_EQ(interpolate_env("k = \"\" # ${HT_CFG_NOPE}\nm = \"${HT_CFG_A}\""),
              "k = \"\" # ${HT_CFG_NOPE}\nm = \"alpha\"");
    EXPECT_EQ(interpolate_env("k = \"\"\"a\"\"\"\" # ${HT_CFG_NOPE}"),
              "k = \"\"\"a\"\"\"\" # ${HT_CFG_NOPE}");
}

TEST(Interpolate, DollarsPassThrough) {
    scoped_env a("HT_CFG_A", "alpha");
    const std::string text = "k = \"cost $5, $$ and $${HT_CFG_A} $\"\nm = $";
    EXPECT_EQ(interpolate_env(text), text);
}

TEST(Interpolate, NestedDefault) {
    scoped_env u("HT_CFG_UNSET", std::nullopt);
    scoped_env a("HT_CFG_A", "alpha");
    EXPECT_EQ(interpolate_env("k = \"${HT_CFG_UNSET:-${HT_CFG_A}}\""), "k = \"alpha\"");
    EXPECT_EQ(interpolate_env("k = \"${HT_CFG_UNSET:-${HT_CFG_UNSET:-z}}\""), "k = \"z\"");
}

TEST(Interpolate, ValuesInBasicStringsAreEscaped) {
    scoped_env v("HT_CFG_TRICKY", "a\"b\\c\nd");
    const auto cfg = parse(interpolate_env("[auth.bootstrap]\napi_key = \"${HT_CFG_TRICKY}\"\n"));
    EXPECT_EQ(cfg->auth.bootstrap_api_key, "a\"b\\c\nd");
}

TEST(Interpolate, ValueThatCannotBeALiteralStringIsAnError) {
    scoped_env v("HT_CFG_QUOTE", "it's");
    EXPECT_THAT(error_of("k = '${HT_CFG_QUOTE}'"), HasSubstr("HT_CFG_QUOTE"));
}

TEST(Interpolate, MalformedReferences) {
    EXPECT_THAT(error_of("a = 1\nk = \"${HT_CFG_A\"\n"), HasSubstr("line 2: unterminated"));
    EXPECT_THAT(error_of("k = \"${1BAD}\""), HasSubstr("invalid reference '${1BAD}'"));
    EXPECT_THAT(error_of("k = \"${HT_CFG_A-x}\""), HasSubstr("invalid reference"));
    EXPECT_THAT(error_of("k = \"${}\""), HasSubstr("invalid reference"));
}

}  // namespace
}  // namespace hadrian::config
