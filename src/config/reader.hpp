// Strict, path-aware reading of toml++ tables: every accessor marks its key as known, checks
// the value's type and range, and reports failures as config_error naming the full key path
// and the source position. `finish()` rejects whatever keys were never asked for.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hadrian/config/config.hpp"

namespace hadrian::config::detail {

/// `parent.key`, quoting the key when it is not a bare TOML key (`models."gpt-4.1"`).
std::string join_path(std::string_view parent, std::string_view key);

/// `parent[index]`.
std::string index_path(std::string_view parent, std::size_t index);

/// "a string", "an integer", … for messages.
std::string_view type_name(const toml::node& node);

/// Throw config_error: `source:line:col: message` (the position is left out when unknown).
[[noreturn]] void fail(std::string_view source, const toml::source_region& where,
                       const std::string& message);

/// Convenience for `path: what`.
[[noreturn]] void fail_value(std::string_view source, const toml::node& node, std::string_view path,
                             const std::string& what);

// Typed reads of single nodes; `path` names the node in messages.
std::string node_string(std::string_view source, const toml::node& node, std::string_view path);
std::int64_t node_int(std::string_view source, const toml::node& node, std::string_view path,
                      std::int64_t min, std::int64_t max);

/// One TOML table being read. The source name and the table must outlive the reader.
class table_reader {
public:
    table_reader(std::string_view source, const toml::table& table, std::string path);

    const std::string& path() const { return path_; }
    std::string path_of(std::string_view key) const { return join_path(path_, key); }
    std::string_view source() const { return source_; }
    const toml::table& table() const { return *table_; }

    /// The node under `key` (now known), or nullptr when absent.
    const toml::node* get(std::string_view key);
    bool has(std::string_view key) const { return table_->contains(key); }

    // Each returns whether the key was present; `out` is untouched when it is not.
    bool read(std::string_view key, std::string& out);
    bool read_nonempty(std::string_view key, std::string& out);
    bool read(std::string_view key, bool& out);
    bool read(std::string_view key, double& out, double min, double max);
    bool read_int(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max);
    bool read(std::string_view key, std::vector<std::string>& out);
    bool read(std::string_view key, std::map<std::string, std::string>& out);

    /// Unsigned and narrow integer fields: the range is clamped to what the field can hold.
    template <class Int>
    bool read(std::string_view key, Int& out, std::int64_t min = 0,
              std::int64_t max = std::numeric_limits<std::int64_t>::max()) {
        static_assert(std::is_integral_v<Int> && !std::is_same_v<Int, bool>);
        constexpr auto field_max = static_cast<std::uint64_t>(std::numeric_limits<Int>::max());
        if (static_cast<std::uint64_t>(max) > field_max) {
            max = static_cast<std::int64_t>(field_max);
        }
        if constexpr (std::is_unsigned_v<Int>) {
            if (min < 0) {
                min = 0;
            }
        }
        std::int64_t v = 0;
        if (!read_int(key, v, min, max)) {
            return false;
        }
        out = static_cast<Int>(v);
        return true;
    }

    template <class Int>
    bool read(std::string_view key, std::optional<Int>& out, std::int64_t min = 0,
              std::int64_t max = std::numeric_limits<std::int64_t>::max()) {
        Int v{};
        if (!read(key, v, min, max)) {
            return false;
        }
        out = v;
        return true;
    }

    /// A string that must be one of `names`.
    template <class Enum>
    bool read_enum(std::string_view key, Enum& out,
                   std::initializer_list<std::pair<std::string_view, Enum>> names) {
        std::string text;
        if (!read(key, text)) {
            return false;
        }
        for (const auto& [name, value] : names) {
            if (name == text) {
                out = value;
                return true;
            }
        }
        std::vector<std::string_view> list;
        for (const auto& n : names) {
            list.push_back(n.first);
        }
        fail_at(key, expected_one_of(list) + ", got \"" + text + "\"");
    }

    /// The subtable under `key` (also inline tables); nullopt when absent.
    std::optional<table_reader> sub(std::string_view key);

    /// The `type` key, required, one of `names`.
    template <class Enum>
    Enum required_enum(std::string_view key,
                       std::initializer_list<std::pair<std::string_view, Enum>> names) {
        Enum out{};
        if (!read_enum(key, out, names)) {
            std::vector<std::string_view> list;
            for (const auto& n : names) {
                list.push_back(n.first);
            }
            fail_missing(key, expected_one_of(list));
        }
        return out;
    }

    /// Error at the value of `key` (which must be present): `table.key: message`.
    [[noreturn]] void fail_at(std::string_view key, const std::string& message) const;
    /// Error for a missing required key: `table.key: required (what)`.
    [[noreturn]] void fail_missing(std::string_view key, std::string_view what) const;
    /// Error when `key` is present: `table.key: message`.
    void reject_if_present(std::string_view key, const std::string& message) const;

    /// Throws for the first key (in file order) that no accessor asked for.
    void finish() const;

    static std::string expected_one_of(const std::vector<std::string_view>& names);

private:
    std::string_view source_;
    const toml::table* table_;
    std::string path_;
    std::set<std::string, std::less<>> used_;
};

}  // namespace hadrian::config::detail
