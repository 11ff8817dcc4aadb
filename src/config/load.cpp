// Entry points: `parse` (TOML text → validated config) and `load_file`.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "config/sections.hpp"

namespace hadrian::config {

std::shared_ptr<const config> parse(const std::string& toml_text, const std::string& source_name) {
    toml::table root;
    try {
        root = toml::parse(toml_text, source_name);
    } catch (const toml::parse_error& e) {
        detail::fail(source_name, e.source(), "TOML syntax error: " + std::string(e.description()));
    }

    auto out = std::make_shared<config>();
    detail::table_reader r(source_name, root, "");
    if (auto server = r.sub("server")) {
        detail::parse_server(*server, out->server);
    }
    if (auto database = r.sub("database")) {
        detail::parse_database(*database, out->database);
    }
    if (auto cache = r.sub("cache")) {
        detail::parse_cache(*cache, out->cache);
    }
    if (auto auth = r.sub("auth")) {
        detail::parse_auth(*auth, out->auth);
    }
    if (auto providers = r.sub("providers")) {
        detail::parse_providers(*providers, out->providers);
    }
    if (auto limits = r.sub("limits")) {
        detail::parse_limits(*limits, out->limits);
    }
    if (auto pricing = r.sub("pricing")) {
        detail::parse_pricing_section(*pricing, out->pricing);
    }
    if (auto observability = r.sub("observability")) {
        detail::parse_observability(*observability, out->observability);
    }
    r.finish();
    return out;
}

std::shared_ptr<const config> load_file(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        throw config_error(path + ": is a directory, not a configuration file");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw config_error(path + ": cannot read the configuration file");
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        throw config_error(path + ": error while reading the configuration file");
    }
    std::string expanded;
    try {
        expanded = interpolate_env(text.str());
    } catch (const config_error& e) {
        throw config_error(path + ": " + e.what());
    }
    return parse(expanded, path);
}

}  // namespace hadrian::config
