#include "hadrian/routing/router.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace hadrian::routing {
namespace {

using core::errc;

config::provider_config provider(std::string name, config::provider_type type) {
    config::provider_config p;
    p.name = std::move(name);
    p.type = type;
    return p;
}

config::providers_config test_providers() {
    config::providers_config c;
    c.default_provider = "openai";
    c.entries.push_back(provider("openai", config::provider_type::open_ai));
    auto anthropic = provider("anthropic", config::provider_type::anthropic);
    anthropic.model_aliases = {{"claude", "claude-sonnet-4-5"}};
    c.entries.push_back(std::move(anthropic));
    auto restricted = provider("restricted", config::provider_type::open_ai);
    restricted.allowed_models = {"gpt-4o", "llama-*"};
    restricted.model_aliases = {{"fast", "gpt-4o"}, {"slow", "gpt-4"}};
    c.entries.push_back(std::move(restricted));
    return c;
}

/// An expected outcome: a route, or an error with its code, message and param.
struct expect {
    std::string provider;
    std::string model;
    std::optional<errc> error;
    std::string message;
    std::optional<std::string> param;

    static expect ok(std::string provider, std::string model) {
        return {std::move(provider), std::move(model), std::nullopt, {}, std::nullopt};
    }
    static expect invalid(const std::string& shown) {
        return {{}, {}, errc::routing_error, "Invalid model name '" + shown + "'", "model"};
    }
    static expect not_found(const std::string& model) {
        return {{}, {}, errc::routing_error, "Model '" + model + "' not found", std::nullopt};
    }
    static expect routing(std::string message) {
        return {{}, {}, errc::routing_error, std::move(message), std::nullopt};
    }
};

void check_error(const core::api_error& e, const expect& want, const std::string& name) {
    ASSERT_TRUE(want.error.has_value()) << name << ": unexpected error " << e.message;
    EXPECT_EQ(e.kind, *want.error) << name;
    EXPECT_EQ(e.status, 400) << name;
    EXPECT_EQ(e.message, want.message) << name;
    EXPECT_EQ(e.param, want.param) << name;
}

struct resolve_row {
    std::string input;
    expect want;
};

void run_resolve_table(const config::providers_config& providers,
                       const std::vector<resolve_row>& rows) {
    const router r(providers);
    for (const auto& row : rows) {
        const std::string name = ::testing::PrintToString(row.input);
        const auto got = r.resolve(row.input);
        if (!got) {
            check_error(got.error(), row.want, name);
            continue;
        }
        ASSERT_FALSE(row.want.error.has_value()) << name << ": expected an error";
        EXPECT_EQ(got->provider, row.want.provider) << name;
        EXPECT_EQ(got->model, row.want.model) << name;
        EXPECT_EQ(got->requested, row.input) << name;
        EXPECT_EQ(valid_model_string(row.input), true) << name;
    }
}

TEST(Router, ResolveTable) {
    const std::string max_length(512, 'm');
    const std::string too_long(513, 'm');
    const std::vector<resolve_row> rows = {
        // Provider prefix and default provider.
        {"gpt-4o", expect::ok("openai", "gpt-4o")},
        {"openai/gpt-4o", expect::ok("openai", "gpt-4o")},
        {"openai/gpt-4o-mini", expect::ok("openai", "gpt-4o-mini")},
        {"openai", expect::ok("openai", "openai")},
        {"openai/org/model:v1@2024", expect::ok("openai", "org/model:v1@2024")},
        {"meta-llama/llama-3", expect::ok("openai", "meta-llama/llama-3")},
        {"unknown/model", expect::ok("openai", "unknown/model")},
        {"OpenAI/gpt-4o", expect::ok("openai", "OpenAI/gpt-4o")},
        {"openai/anthropic/claude", expect::ok("openai", "anthropic/claude")},
        // Aliases apply on their own provider only.
        {"anthropic/claude", expect::ok("anthropic", "claude-sonnet-4-5")},
        {"anthropic/claude-3-opus", expect::ok("anthropic", "claude-3-opus")},
        {"anthropic/claude-sonnet-4-5", expect::ok("anthropic", "claude-sonnet-4-5")},
        {"claude", expect::ok("openai", "claude")},
        // allowed_models: exact and prefix entries, checked after aliases.
        {"restricted/gpt-4o", expect::ok("restricted", "gpt-4o")},
        {"restricted/llama-3.1-70b", expect::ok("restricted", "llama-3.1-70b")},
        {"restricted/llama-", expect::ok("restricted", "llama-")},
        {"restricted/fast", expect::ok("restricted", "gpt-4o")},
        {"restricted/gpt-4o-mini", expect::not_found("restricted/gpt-4o-mini")},
        {"restricted/gpt-4", expect::not_found("restricted/gpt-4")},
        {"restricted/llama", expect::not_found("restricted/llama")},
        {"restricted/Llama-3", expect::not_found("restricted/Llama-3")},
        {"restricted/slow", expect::not_found("restricted/slow")},
        {"restricted/x/llama-3", expect::not_found("restricted/x/llama-3")},
        // Syntax.
        {"", expect::invalid("")},
        {max_length, expect::ok("openai", max_length)},
        {too_long, expect::invalid(std::string(64, 'm') + "...")},
        {"a//b", expect::invalid("a//b")},
        {"openai/../x", expect::invalid("openai/../x")},
        {"openai/./x", expect::invalid("openai/./x")},
        {"openai/x/..", expect::invalid("openai/x/..")},
        {"..", expect::invalid("..")},
        {".", expect::invalid(".")},
        {"bad char !", expect::invalid("bad char !")},
        {"openai/", expect::invalid("openai/")},
        {"gpt-4o/", expect::invalid("gpt-4o/")},
        {"/gpt-4o", expect::invalid("/gpt-4o")},
        {"/", expect::invalid("/")},
        {"gpt-4o?x=1", expect::invalid("gpt-4o?x=1")},
        {"gpt%2F4o", expect::invalid("gpt%2F4o")},
        {"gpt-4o#x", expect::invalid("gpt-4o#x")},
        {"gpt\\4o", expect::invalid("gpt\\4o")},
        {"gpt-4o\n", expect::invalid("gpt-4o\n")},
        {std::string("gpt\0x", 5), expect::invalid(std::string("gpt\0x", 5))},
        {"modèle", expect::invalid("modèle")},
        {"...", expect::ok("openai", "...")},
        {"a..b/c.d", expect::ok("openai", "a..b/c.d")},
        {"A-z_0.9:@", expect::ok("openai", "A-z_0.9:@")},
    };
    run_resolve_table(test_providers(), rows);
}

TEST(Router, NoDefaultProvider) {
    auto providers = test_providers();
    providers.default_provider.clear();
    run_resolve_table(providers,
                      {
                          {"gpt-4o", expect::routing("No default provider configured")},
                          {"unknown/model", expect::routing("No default provider configured")},
                          {"openai/gpt-4o", expect::ok("openai", "gpt-4o")},
                          {"anthropic/claude", expect::ok("anthropic", "claude-sonnet-4-5")},
                          {"a//b", expect::invalid("a//b")},
                      });
}

TEST(Router, DefaultProviderMissingFromEntries) {
    auto providers = test_providers();
    providers.default_provider = "gone";
    run_resolve_table(providers, {
                                     {"gpt-4o", expect::routing("Provider 'gone' not found")},
                                     {"openai/gpt-4o", expect::ok("openai", "gpt-4o")},
                                 });
}

TEST(Router, DefaultProviderRestrictions) {
    auto providers = test_providers();
    providers.default_provider = "restricted";
    run_resolve_table(providers, {
                                     {"gpt-4o", expect::ok("restricted", "gpt-4o")},
                                     {"fast", expect::ok("restricted", "gpt-4o")},
                                     {"llama-3", expect::ok("restricted", "llama-3")},
                                     {"gpt-4", expect::not_found("gpt-4")},
                                     {"meta/llama-3", expect::not_found("meta/llama-3")},
                                 });
}

TEST(Router, DisabledProviderIsNotFound) {
    auto providers = test_providers();
    providers.disabled = {"vertex"};
    run_resolve_table(providers,
                      {
                          {"vertex/gemini-2.5-pro", expect::routing("Provider 'vertex' not found")},
                          {"vertex", expect::ok("openai", "vertex")},
                          {"openai/vertex/x", expect::ok("openai", "vertex/x")},
                          {"google/gemma", expect::ok("openai", "google/gemma")},
                      });
}

struct candidates_row {
    std::string name;
    std::string model;
    std::vector<std::string> models;
    std::vector<std::pair<std::string, std::string>> routes;  // provider, model
    std::optional<expect> error;
};

TEST(Router, CandidatesTable) {
    std::vector<std::string> ten;
    for (int i = 0; i < 10; ++i) {
        ten.push_back("m" + std::to_string(i));
    }
    std::vector<std::string> eight_bad_then_good;
    for (int i = 0; i < 8; ++i) {
        eight_bad_then_good.push_back("restricted/bad" + std::to_string(i));
    }
    eight_bad_then_good.push_back("gpt-4o");
    std::vector<std::string> duplicates_then_nine = {"m0", "m0", "m0", "m0", "m0",
                                                     "m0", "m0", "m0", "m0", "m0"};
    duplicates_then_nine.insert(duplicates_then_nine.end(), ten.begin(), ten.begin() + 9);

    const std::vector<candidates_row> rows = {
        {"model only", "gpt-4o", {}, {{"openai", "gpt-4o"}}, std::nullopt},
        {"models only",
         "",
         {"anthropic/claude", "openai/gpt-4o"},
         {{"anthropic", "claude-sonnet-4-5"}, {"openai", "gpt-4o"}},
         std::nullopt},
        {"model comes first",
         "restricted/gpt-4o",
         {"anthropic/claude", "gpt-4o"},
         {{"restricted", "gpt-4o"}, {"anthropic", "claude-sonnet-4-5"}, {"openai", "gpt-4o"}},
         std::nullopt},
        {"unroutable first entry skipped",
         "restricted/gpt-4",
         {"restricted/gpt-4o"},
         {{"restricted", "gpt-4o"}},
         std::nullopt},
        {"invalid entries skipped",
         "",
         {"a//b", "", "anthropic/claude", "restricted/x"},
         {{"anthropic", "claude-sonnet-4-5"}},
         std::nullopt},
        {"all bad: first error (syntax)",
         "a//b",
         {"restricted/x", "openai/../y"},
         {},
         expect::invalid("a//b")},
        {"all bad: first error (not found)",
         "",
         {"restricted/x", "a//b"},
         {},
         expect::not_found("restricted/x")},
        {"all bad: empty entry", "", {""}, {}, expect::invalid("")},
        {"duplicates removed",
         "gpt-4o",
         {"gpt-4o", "openai/gpt-4o", "gpt-4o", "openai/gpt-4o"},
         {{"openai", "gpt-4o"}, {"openai", "gpt-4o"}},
         std::nullopt},
        {"cap at 8",
         "",
         ten,
         {{"openai", "m0"},
          {"openai", "m1"},
          {"openai", "m2"},
          {"openai", "m3"},
          {"openai", "m4"},
          {"openai", "m5"},
          {"openai", "m6"},
          {"openai", "m7"}},
         std::nullopt},
        {"cap counts model first",
         "first",
         ten,
         {{"openai", "first"},
          {"openai", "m0"},
          {"openai", "m1"},
          {"openai", "m2"},
          {"openai", "m3"},
          {"openai", "m4"},
          {"openai", "m5"},
          {"openai", "m6"}},
         std::nullopt},
        {"duplicates do not use up the cap",
         "",
         duplicates_then_nine,
         {{"openai", "m0"},
          {"openai", "m1"},
          {"openai", "m2"},
          {"openai", "m3"},
          {"openai", "m4"},
          {"openai", "m5"},
          {"openai", "m6"},
          {"openai", "m7"}},
         std::nullopt},
        {"entries past the cap are never routed",
         "",
         eight_bad_then_good,
         {},
         expect::not_found("restricted/bad0")},
        {"both empty",
         "",
         {},
         {},
         expect{{}, {}, errc::validation_error, "model or models is required", "model"}},
    };

    const auto providers = test_providers();
    const router r(providers);
    for (const auto& row : rows) {
        const auto got = r.candidates(row.model, row.models);
        if (!got) {
            ASSERT_TRUE(row.error.has_value()) << row.name << ": " << got.error().message;
            check_error(got.error(), *row.error, row.name);
            continue;
        }
        ASSERT_FALSE(row.error.has_value()) << row.name << ": expected an error";
        std::vector<std::pair<std::string, std::string>> routes;
        for (const auto& route : *got) {
            routes.emplace_back(route.provider, route.model);
        }
        EXPECT_EQ(routes, row.routes) << row.name;
    }
}

TEST(Router, CandidatesKeepTheRequestedString) {
    const auto providers = test_providers();
    const router r(providers);
    const auto got = r.candidates("anthropic/claude", {"claude"});
    ASSERT_TRUE(got);
    ASSERT_EQ(got->size(), 2u);
    EXPECT_EQ((*got)[0].requested, "anthropic/claude");
    EXPECT_EQ((*got)[1].requested, "claude");
    EXPECT_EQ((*got)[1].provider, "openai");
}

}  // namespace
}  // namespace hadrian::routing
