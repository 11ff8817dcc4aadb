// load_file: reading, interpolation and parsing together, and the shipped default config.
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

const std::string source_dir = HADRIAN_SOURCE_DIR;
const std::string fixtures = source_dir + "/tests/fixtures/config/";
const std::string shipped = source_dir + "/config/hadrian.toml";

using hadrian::config::testing::scoped_env;

std::string load_error(const std::string& path) {
    try {
        load_file(path);
    } catch (const config_error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(DefaultConfig, LoadsWithoutOpenAiKey) {
    scoped_env key("OPENAI_API_KEY", std::nullopt);
    scoped_env url("OPENAI_BASE_URL", std::nullopt);
    const auto cfg = load_file(shipped);
    EXPECT_EQ(cfg->server.host, "127.0.0.1");
    EXPECT_EQ(cfg->server.port, 8080);
    EXPECT_EQ(cfg->providers.default_provider, "test");
    const provider_config* test = cfg->providers.find("test");
    ASSERT_NE(test, nullptr);
    EXPECT_EQ(test->type, provider_type::test);
    EXPECT_EQ(cfg->providers.find("openai"), nullptr);
    ASSERT_EQ(cfg->providers.entries.size(), 1u);
    EXPECT_EQ(cfg->providers.disabled, (std::vector<std::string>{"openai"}));
    EXPECT_EQ(cfg->observability.logging.level, "info");
    EXPECT_EQ(cfg->observability.logging.format, log_format::text);
    EXPECT_EQ(cfg->database.type, database_type::sqlite);
    EXPECT_EQ(cfg->database.path, "data/hadrian.db");
}

TEST(DefaultConfig, EmptyOpenAiKeyCountsAsUnset) {
    scoped_env key("OPENAI_API_KEY", "");
    const auto cfg = load_file(shipped);
    EXPECT_EQ(cfg->providers.find("openai"), nullptr);
}

TEST(DefaultConfig, OpenAiProviderPresentWithKey) {
    scoped_env key("OPENAI_API_KEY", "sk-unit-test");
    scoped_env url("OPENAI_BASE_URL", std::nullopt);
    const auto cfg = load_file(shipped);
    const provider_config* openai = cfg->providers.find("openai");
    ASSERT_NE(openai, nullptr);
    EXPECT_EQ(openai->type, provider_type::open_ai);
    EXPECT_EQ(openai->api_key, "sk-unit-test");
    EXPECT_EQ(openai->base_url, "https://api.openai.com/v1");
    EXPECT_TRUE(cfg->providers.disabled.empty());
    EXPECT_EQ(cfg->providers.default_provider, "test");
    ASSERT_EQ(cfg->providers.entries.size(), 2u);
    EXPECT_EQ(cfg->providers.entries[0].name, "test");
    EXPECT_EQ(cfg->providers.entries[1].name, "openai");
}

TEST(DefaultConfig, OpenAiBaseUrlOverride) {
    scoped_env key("OPENAI_API_KEY", "sk-unit-test");
    scoped_env url("OPENAI_BASE_URL", "http://127.0.0.1:18080/v1");
    const auto cfg = load_file(shipped);
    const provider_config* openai = cfg->providers.find("openai");
    ASSERT_NE(openai, nullptr);
    EXPECT_EQ(openai->base_url, "http://127.0.0.1:18080/v1");
}

TEST(LoadFile, InterpolatesBeforeParsing) {
    scoped_env port("HT_FIXTURE_PORT", "9191");
    scoped_env key("HT_FIXTURE_KEY", std::nullopt);
    const auto cfg = load_file(fixtures + "env.toml");
    EXPECT_EQ(cfg->server.port, 9191);
    EXPECT_EQ(cfg->auth.bootstrap_api_key, "gw_live_fallback");
}

TEST(LoadFile, MissingVariableNamesFileAndVariable) {
    scoped_env required("HT_FIXTURE_REQUIRED", std::nullopt);
    const std::string msg = load_error(fixtures + "missing_env.toml");
    EXPECT_THAT(msg, HasSubstr("missing_env.toml"));
    EXPECT_THAT(msg, HasSubstr("HT_FIXTURE_REQUIRED"));
}

TEST(LoadFile, UnknownKeyNamesFileAndPath) {
    const std::string msg = load_error(fixtures + "unknown_key.toml");
    EXPECT_THAT(msg,
                HasSubstr("unknown_key.toml:9:1: unknown key 'providers.test.retry.max_retry'"));
}

TEST(LoadFile, UnreadableFileNamesThePath) {
    EXPECT_THAT(load_error(fixtures + "does-not-exist.toml"), HasSubstr("does-not-exist.toml"));
    EXPECT_THAT(load_error(fixtures), HasSubstr("directory"));
}

}  // namespace
}  // namespace hadrian::config
