// Strict table reading shared by every section parser.
#include "config/reader.hpp"

#include <algorithm>
#include <cmath>

namespace hadrian::config::detail {
namespace {

bool is_bare_key(std::string_view key) {
    if (key.empty()) {
        return false;
    }
    return std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

std::string quote_key(std::string_view key) {
    std::string out = "\"";
    for (char c : key) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    out += '"';
    return out;
}

std::string range_text(std::int64_t min, std::int64_t max) {
    return std::to_string(min) + ".." + std::to_string(max);
}

std::string number_text(double v) {
    std::string s = std::to_string(v);
    // Trim "2.500000" to "2.5" and "1.000000" to "1.0".
    if (s.find('.') != std::string::npos) {
        while (s.size() > 1 && s.back() == '0') {
            s.pop_back();
        }
        if (s.back() == '.') {
            s += '0';
        }
    }
    return s;
}

}  // namespace

std::string join_path(std::string_view parent, std::string_view key) {
    std::string k = is_bare_key(key) ? std::string(key) : quote_key(key);
    if (parent.empty()) {
        return k;
    }
    std::string out(parent);
    out += '.';
    out += k;
    return out;
}

std::string index_path(std::string_view parent, std::size_t index) {
    return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string_view type_name(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a float";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        case toml::node_type::none:
            break;
    }
    return "nothing";
}

void fail(std::string_view source, const toml::source_region& where, const std::string& message) {
    std::string text(source);
    if (where.begin.line != 0) {
        text += ':' + std::to_string(where.begin.line) + ':' + std::to_string(where.begin.column);
    }
    if (!text.empty()) {
        text += ": ";
    }
    text += message;
    throw config_error(text);
}

void fail_value(std::string_view source, const toml::node& node, std::string_view path,
                const std::string& what) {
    fail(source, node.source(), std::string(path) + ": " + what);
}

std::string node_string(std::string_view source, const toml::node& node, std::string_view path) {
    if (const auto* s = node.as_string()) {
        return s->get();
    }
    fail_value(source, node, path, "expected a string, got " + std::string(type_name(node)));
}

std::int64_t node_int(std::string_view source, const toml::node& node, std::string_view path,
                      std::int64_t min, std::int64_t max) {
    const auto* i = node.as_integer();
    if (i == nullptr) {
        fail_value(source, node, path,
                   "expected an integer in " + range_text(min, max) + ", got " +
                       std::string(type_name(node)));
    }
    const std::int64_t v = i->get();
    if (v < min || v > max) {
        fail_value(source, node, path,
                   "expected an integer in " + range_text(min, max) + ", got " + std::to_string(v));
    }
    return v;
}

table_reader::table_reader(std::string_view source, const toml::table& table, std::string path)
    : source_(source), table_(&table), path_(std::move(path)) {}

const toml::node* table_reader::get(std::string_view key) {
    const toml::node* node = table_->get(key);
    if (node != nullptr) {
        used_.emplace(key);
    }
    return node;
}

bool table_reader::read(std::string_view key, std::string& out) {
    const toml::node* node = get(key);
    if (node == nullptr) {
        return false;
    }
    out = node_string(source_, *node, path_of(key));
    return true;
}

bool table_reader::read_nonempty(std::string_view key, std::string& out) {
    std::string v;
    if (!read(key, v)) {
        return false;
    }
    if (v.empty()) {
        fail_at(key, "must not be empty");
    }
    out = std::move(v);
    return true;
}

bool table_reader::read(std::string_view key, bool& out) {
    const toml::node* node = get(key);
    if (node == nullptr) {
        return false;
    }
    const auto* b = node->as_boolean();
    if (b == nullptr) {
        fail_at(key, "expected a boolean (true or false), got " + std::string(type_name(*node)));
    }
    out = b->get();
    return true;
}

bool table_reader::read(std::string_view key, double& out, double min, double max) {
    const toml::node* node = get(key);
    if (node == nullptr) {
        return false;
    }
    const std::string expected =
        "expected a number in " + number_text(min) + ".." + number_text(max);
    double v = 0;
    if (const auto* f = node->as_floating_point()) {
        v = f->get();
    } else if (const auto* i = node->as_integer()) {
        v = static_cast<double>(i->get());
    } else {
        fail_at(key, expected + ", got " + std::string(type_name(*node)));
    }
    if (!std::isfinite(v) || v < min || v > max) {
        fail_at(key, expected + ", got " + number_text(v));
    }
    out = v;
    return true;
}

bool table_reader::read_int(std::string_view key, std::int64_t& out, std::int64_t min,
                            std::int64_t max) {
    const toml::node* node = get(key);
    if (node == nullptr) {
        return false;
    }
    out = node_int(source_, *node, path_of(key), min, max);
    return true;
}

bool table_reader::read(std::string_view key, std::vector<std::string>& out) {
    const toml::node* node = get(key);
    if (node == nullptr) {
        return false;
    }
    const auto* arr = node->as_array();
    if (arr == nullptr) {
        fail_at(key, "expected an array of strings, got " + std::string(type_name(*node)));
    }
    std::vector<std::string> values;
    values.reserve(arr->size());
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const auto& element = *arr->get(i);
        const std::string element_path = index_path(path_of(key), i);
        std::string v = node_string(source_, element, element_path);
        if (v.empty()) {
            fail_value(source_, element, element_path, "must not be empty");
        }
        values.push_back(std::move(v));
    }
    out = std::move(values);
    return true;
}

bool table_reader::read(std::string_view key, std::map<std::string, std::string>& out) {
    const toml::node* node = get(key);
    if (node == nullptr) {
        return false;
    }
    const auto* tbl = node->as_table();
    if (tbl == nullptr) {
        fail_at(key, "expected a table of strings, got " + std::string(type_name(*node)));
    }
    std::map<std::string, std::string> values;
    for (const auto& [k, v] : *tbl) {
        values.emplace(std::string(k.str()),
                       node_string(source_, v, join_path(path_of(key), k.str())));
    }
    out = std::move(values);
    return true;
}

std::optional<table_reader> table_reader::sub(std::string_view key) {
    const toml::node* node = get(key);
    if (node == nullptr) {
        return std::nullopt;
    }
    const auto* tbl = node->as_table();
    if (tbl == nullptr) {
        fail_at(key, "expected a table, got " + std::string(type_name(*node)));
    }
    return table_reader(source_, *tbl, path_of(key));
}

void table_reader::fail_at(std::string_view key, const std::string& message) const {
    const toml::node* node = table_->get(key);
    const std::string text = path_of(key) + ": " + message;
    fail(source_, node != nullptr ? node->source() : table_->source(), text);
}

void table_reader::fail_missing(std::string_view key, std::string_view what) const {
    std::string text = path_of(key) + ": required";
    if (!what.empty()) {
        text += " (";
        text += what;
        text += ')';
    }
    fail(source_, table_->source(), text);
}

void table_reader::reject_if_present(std::string_view key, const std::string& message) const {
    if (has(key)) {
        fail_at(key, message);
    }
}

void table_reader::finish() const {
    const toml::key* first = nullptr;
    for (const auto& [k, v] : *table_) {
        if (used_.find(k.str()) != used_.end()) {
            continue;
        }
        const auto& pos = k.source().begin;
        if (first == nullptr || pos.line < first->source().begin.line ||
            (pos.line == first->source().begin.line && pos.column < first->source().begin.column)) {
            first = &k;
        }
    }
    if (first != nullptr) {
        fail(source_, first->source(), "unknown key '" + path_of(first->str()) + "'");
    }
}

std::string table_reader::expected_one_of(const std::vector<std::string_view>& names) {
    std::string out = "expected one of ";
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i != 0) {
            out += ", ";
        }
        out += '"';
        out += names[i];
        out += '"';
    }
    return out;
}

}  // namespace hadrian::config::detail
