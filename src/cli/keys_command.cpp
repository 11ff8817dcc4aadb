#include "keys_command.hpp"

#include <algorithm>
#include <charconv>
#include <exception>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <variant>

#include "../api/admin_input.hpp"
#include "hadrian/auth/api_key.hpp"
#include "hadrian/core/log.hpp"
#include "hadrian/storage/store.hpp"

namespace hadrian::cli {

namespace {

constexpr const char* usage_text = R"(Usage:
  hadrian keys create --name NAME [options] [--config PATH]
                                    create a key; prints the raw key (shown only once) on the
                                    first line and the key id on the second
      --scopes a,b                  chat, completions, embeddings, models, admin
                                    (default chat,completions,embeddings,models)
      --models a,b*                 allowed models: exact names or a prefix ending in '*'
      --ips cidr,cidr               allowed client addresses
      --expires TIME                RFC 3339 UTC time, e.g. 2030-01-01T00:00:00Z
      --rpm N  --rpd N              requests per minute / per day
      --tpm N  --tpd N              tokens per minute / per day
      --concurrent N                requests in flight at once
      --budget-cents N --period daily|monthly
                                    spending limit per UTC day or calendar month
  hadrian keys list [--config PATH] every key, newest first
  hadrian keys revoke ID [--config PATH]
                                    revoke a key (a running gateway notices within its key
                                    cache lifetime)
  hadrian keys --help               print this help

The keys live in the database of the configuration ([database] type = "sqlite").
)";

/// A command-line option of `keys create` and the request field it sets.
struct create_option {
    std::string_view flag;
    std::string_view field;
    enum kind { text, integer, list } type;
};

constexpr create_option create_options[] = {
    {"--name", "name", create_option::text},
    {"--scopes", "scopes", create_option::list},
    {"--models", "allowed_models", create_option::list},
    {"--ips", "ip_allowlist", create_option::list},
    {"--expires", "expires_at", create_option::text},
    {"--rpm", "rate_limit_rpm", create_option::integer},
    {"--rpd", "rate_limit_rpd", create_option::integer},
    {"--tpm", "rate_limit_tpm", create_option::integer},
    {"--tpd", "rate_limit_tpd", create_option::integer},
    {"--concurrent", "concurrent_requests", create_option::integer},
    {"--budget-cents", "budget_limit_cents", create_option::integer},
    {"--period", "budget_period", create_option::text},
};

/// What is wrong with the arguments; the caller prints it with the usage.
struct usage_problem {
    std::string message;
};

int usage_error(std::ostream& err, const std::string& message) {
    err << "hadrian keys: " << message << "\n\n" << usage_text;
    return 2;
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return v;
}

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = s.find_last_not_of(" \t");
    return std::string(s.substr(first, last - first + 1));
}

nlohmann::json split_list(std::string_view text) {
    nlohmann::json out = nlohmann::json::array();
    for (;;) {
        const auto comma = text.find(',');
        out.push_back(trim(text.substr(0, comma)));
        if (comma == std::string_view::npos) {
            break;
        }
        text.remove_prefix(comma + 1);
    }
    return out;
}

/// The admin API's request body for `keys create` options, or what is wrong with them.
std::variant<nlohmann::json, usage_problem> create_body(const std::vector<std::string>& args) {
    nlohmann::json body = nlohmann::json::object();
    for (std::size_t i = 1; i < args.size(); ++i) {
        std::string_view arg = args[i];
        std::optional<std::string> value;
        if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
            value = std::string(arg.substr(eq + 1));
            arg = arg.substr(0, eq);
        }
        const auto opt = std::find_if(std::begin(create_options), std::end(create_options),
                                      [arg](const create_option& o) { return o.flag == arg; });
        if (opt == std::end(create_options)) {
            return usage_problem{"unknown option '" + std::string(arg) + "' for keys create"};
        }
        if (!value) {
            if (i + 1 >= args.size()) {
                return usage_problem{std::string(arg) + " needs a value"};
            }
            value = args[++i];
        }
        const std::string field(opt->field);
        if (body.contains(field)) {
            return usage_problem{std::string(arg) + " is given more than once"};
        }
        switch (opt->type) {
            case create_option::text:
                body[field] = *value;
                break;
            case create_option::integer: {
                const auto n = parse_integer(*value);
                if (!n) {
                    return usage_problem{std::string(arg) + " needs an integer"};
                }
                body[field] = *n;
                break;
            }
            case create_option::list:
                body[field] = split_list(*value);
                break;
        }
    }
    if (!body.contains("name")) {
        return usage_problem{"keys create needs --name NAME"};
    }
    return body;
}

std::string_view flag_of(std::string_view field) {
    for (const auto& o : create_options) {
        if (o.field == field) {
            return o.flag;
        }
    }
    return field;
}

int create(storage::store& db, const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err) {
    auto body = create_body(args);
    if (auto* problem = std::get_if<usage_problem>(&body)) {
        return usage_error(err, problem->message);
    }
    const std::int64_t now = api::unix_now();
    auto settings = api::parse_key_settings(std::get<nlohmann::json>(body), now);
    if (!settings) {
        const auto& e = settings.error();
        std::string message = e.message;
        if (e.param) {
            message = std::string(flag_of(*e.param)) + ": " + message;
        }
        return usage_error(err, message);
    }
    const std::string raw = auth::generate_api_key();
    storage::api_key_record key = std::move(*settings);
    key.key_hash = auth::hash_api_key(raw);
    key.key_prefix = auth::key_prefix(raw);
    key.created_at = now;
    auto created = db.create_key(std::move(key));
    if (!created) {
        err << "hadrian keys: could not store the key: " << created.error().message() << "\n";
        return 1;
    }
    out << raw << "\n" << created->id << "\n";
    return 0;
}

/// Control characters would break the table (a name is free text).
std::string printable(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u == 0x7f) ? '?' : c;
    }
    return out;
}

/// Display width of UTF-8 text, counting each code point as one column.
std::size_t columns(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

int list(storage::store& db, std::ostream& out, std::ostream& err) {
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"ID", "NAME", "PREFIX", "SCOPES", "CREATED", "REVOKED"});
    std::string cursor;
    for (;;) {
        auto page = db.list_keys(1000, cursor);
        if (!page) {
            err << "hadrian keys: could not list the keys: " << page.error().message() << "\n";
            return 1;
        }
        for (const auto& key : page->rows) {
            std::string scopes;
            for (const auto& s : key.scopes) {
                scopes += (scopes.empty() ? "" : ",") + s;
            }
            std::string revoked = "-";
            if (key.revoked_at) {
                revoked = api::format_rfc3339(*key.revoked_at);
            }
            rows.push_back({key.id, printable(key.name), key.key_prefix, scopes,
                            api::format_rfc3339(key.created_at), revoked});
        }
        if (!page->has_more || !page->next_cursor) {
            break;
        }
        cursor = *page->next_cursor;
    }
    std::vector<std::size_t> width(rows.front().size(), 0);
    for (const auto& row : rows) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            width[c] = std::max(width[c], columns(row[c]));
        }
    }
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c) {
            line += row[c];
            if (c + 1 < row.size()) {
                line.append(width[c] - columns(row[c]) + 2, ' ');
            }
        }
        out << line << "\n";
    }
    return 0;
}

int revoke(storage::store& db, const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err) {
    if (args.size() != 2 || args[1].empty() || args[1].starts_with("-")) {
        return usage_error(err, "keys revoke needs exactly one key id");
    }
    const std::string& id = args[1];
    auto changed = db.revoke_key(id, api::unix_now());
    if (!changed) {
        if (changed.error() == core::errc::not_found) {
            err << "hadrian keys: no API key with id '" << printable(id) << "'\n";
        } else {
            err << "hadrian keys: could not revoke the key: " << changed.error().message() << "\n";
        }
        return 1;
    }
    out << (*changed ? "revoked " : "already revoked ") << id << "\n";
    return 0;
}

}  // namespace

bool keys_help_requested(const std::vector<std::string>& args) noexcept {
    const auto is_help = [](const std::string& a) {
        return a == "--help" || a == "-h" || a == "help";
    };
    return (!args.empty() && is_help(args[0])) || (args.size() >= 2 && is_help(args[1]));
}

int run_keys_command(const config::config& cfg, const std::vector<std::string>& args) {
    return run_keys_command(cfg, args, std::cout, std::cerr);
}

int run_keys_command(const config::config& cfg, const std::vector<std::string>& args,
                     std::ostream& out, std::ostream& err) {
    if (keys_help_requested(args)) {
        out << usage_text;
        return 0;
    }
    if (args.empty()) {
        return usage_error(err, "missing subcommand (create, list or revoke)");
    }
    const std::string& sub = args[0];
    if (sub != "create" && sub != "list" && sub != "revoke") {
        return usage_error(err, "unknown subcommand '" + sub + "'");
    }
    if (sub == "list" && args.size() > 1) {
        return usage_error(err, "keys list takes no arguments");
    }
    if (cfg.database.type == config::database_type::none) {
        err << "hadrian keys: the configuration has no database; keys need [database] type = "
               "\"sqlite\"\n";
        return 1;
    }
    // Only warnings: the command's own output is what a script reads.
    core::setup_logging("warn", false);
    std::unique_ptr<storage::store> db;
    try {
        db = storage::open_store(cfg.database);
    } catch (const std::exception& e) {
        err << "hadrian keys: cannot open the database: " << e.what() << "\n";
        return 1;
    }
    if (!db) {
        err << "hadrian keys: the configuration has no database\n";
        return 1;
    }
    try {
        if (sub == "create") {
            return create(*db, args, out, err);
        }
        if (sub == "list") {
            return list(*db, out, err);
        }
        return revoke(*db, args, out, err);
    } catch (const std::exception& e) {
        err << "hadrian keys: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace hadrian::cli
