#include "response_context.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

namespace hadrian::api::response_context {

namespace {

using json = nlohmann::json;
using core::api_error;
using core::errc;

std::string string_field(const json& obj, const char* key) {
    auto it = obj.find(key);
    if (it != obj.end() && it->is_string()) {
        return it->get<std::string>();
    }
    return {};
}

/// Copies `keys` of `from` that are present and not null.
json pick(const json& from, std::initializer_list<const char*> keys) {
    json out = json::object();
    for (const char* key : keys) {
        if (auto it = from.find(key); it != from.end() && !it->is_null()) {
            out[key] = *it;
        }
    }
    return out;
}

std::optional<json> replay_message(const json& item) {
    auto content = item.find("content");
    if (content == item.end() || !content->is_array()) {
        return std::nullopt;
    }
    json parts = json::array();
    for (const auto& part : *content) {
        if (!part.is_object()) {
            continue;
        }
        const std::string type = string_field(part, "type");
        if (type == "output_text") {
            json text = pick(part, {"type", "text", "annotations"});
            if (text.contains("text")) {
                parts.push_back(std::move(text));
            }
        } else if (type == "refusal") {
            json refusal = pick(part, {"type", "refusal"});
            if (refusal.contains("refusal")) {
                parts.push_back(std::move(refusal));
            }
        }
    }
    if (parts.empty()) {
        return std::nullopt;
    }
    return json{{"type", "message"}, {"role", "assistant"}, {"content", std::move(parts)}};
}

std::optional<json> replay_item(const json& item) {
    if (!item.is_object()) {
        return std::nullopt;
    }
    const std::string type = string_field(item, "type");
    if (type == "message") {
        return replay_message(item);
    }
    if (type == "function_call") {
        return pick(item, {"type", "call_id", "name", "arguments"});
    }
    if (type == "custom_tool_call") {
        return pick(item, {"type", "call_id", "name", "input"});
    }
    if (type == "reasoning") {
        auto encrypted = item.find("encrypted_content");
        if (encrypted == item.end() || !encrypted->is_string()) {
            return std::nullopt;
        }
        json out = pick(item, {"type", "id", "summary", "encrypted_content"});
        if (!out.contains("summary")) {
            out["summary"] = json::array();
        }
        return out;
    }
    return std::nullopt;
}

void append_all(json& to, const json& items) {
    if (!items.is_array()) {
        return;
    }
    for (const auto& item : items) {
        to.push_back(item);
    }
}

/// An input item as OpenAI lists it: with an id, and message contents as parts.
json listed_item(const json& item, std::string_view response_id, std::size_t index) {
    json out = item.is_object() ? item : json::object();
    const bool message = !out.contains("type") && out.contains("role");
    if (message) {
        out["type"] = "message";
    }
    if (auto id = out.find("id"); id == out.end() || !id->is_string()) {
        out["id"] = "in_" + std::string(response_id) + "_" + std::to_string(index);
    }
    if (string_field(out, "type") == "message") {
        if (auto content = out.find("content"); content != out.end() && content->is_string()) {
            const char* part =
                string_field(out, "role") == "assistant" ? "output_text" : "input_text";
            json text = {{"type", part}, {"text", *content}};
            out["content"] = json::array({std::move(text)});
        }
    }
    return out;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size()) {
            unsigned value = 0;
            auto [end, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, value, 16);
            if (ec == std::errc() && end == s.data() + i + 3) {
                out += static_cast<char>(value);
                i += 2;
            } else {
                out += s[i];
            }
        } else {
            out += s[i];
        }
    }
    return out;
}

api_error invalid(std::string message, std::string param) {
    return api_error::make(errc::validation_error, std::move(message), std::move(param));
}

}  // namespace

bool valid_id(std::string_view id) noexcept {
    if (id.empty() || id.size() > max_id_length) {
        return false;
    }
    for (const char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == ':';
        if (!ok) {
            return false;
        }
    }
    return true;
}

nlohmann::json input_items(const nlohmann::json& input) {
    if (input.is_array()) {
        return input;
    }
    json out = json::array();
    if (input.is_string()) {
        out.push_back({{"type", "message"}, {"role", "user"}, {"content", input}});
    }
    return out;
}

nlohmann::json replay_items(const nlohmann::json& output) {
    json out = json::array();
    if (!output.is_array()) {
        return out;
    }
    for (const auto& item : output) {
        if (auto replayed = replay_item(item)) {
            out.push_back(std::move(*replayed));
        }
    }
    return out;
}

nlohmann::json expand_input(const nlohmann::json& context, const nlohmann::json& output,
                            const nlohmann::json& input) {
    json out = json::array();
    append_all(out, context);
    append_all(out, replay_items(output));
    append_all(out, input_items(input));
    return out;
}

bool restore_echo(nlohmann::json& response, const echo& e) {
    if (!response.is_object()) {
        return false;
    }
    bool changed = false;
    auto store = response.find("store");
    if (store == response.end() || !store->is_boolean() || store->get<bool>() != e.store) {
        response["store"] = e.store;
        changed = true;
    }
    const json previous = e.previous_response_id ? json(*e.previous_response_id) : json(nullptr);
    auto prev = response.find("previous_response_id");
    if (prev == response.end() || *prev != previous) {
        response["previous_response_id"] = previous;
        changed = true;
    }
    return changed;
}

nlohmann::json input_item_page(const nlohmann::json& context, std::string_view response_id,
                               std::size_t limit, bool descending, std::string_view after) {
    const json empty = json::array();
    const json& items = context.is_array() ? context : empty;
    std::vector<json> ordered;
    ordered.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        ordered.push_back(listed_item(items[i], response_id, i));
    }
    if (descending) {
        std::reverse(ordered.begin(), ordered.end());
    }
    std::size_t start = 0;
    if (!after.empty()) {
        start = ordered.size();
        for (std::size_t i = 0; i < ordered.size(); ++i) {
            if (ordered[i]["id"].get_ref<const std::string&>() == after) {
                start = i + 1;
                break;
            }
        }
    }
    json data = json::array();
    std::size_t i = start;
    for (; i < ordered.size() && data.size() < limit; ++i) {
        data.push_back(std::move(ordered[i]));
    }
    json page = {{"object", "list"},
                 {"data", std::move(data)},
                 {"has_more", i < ordered.size()},
                 {"first_id", nullptr},
                 {"last_id", nullptr}};
    if (!page["data"].empty()) {
        page["first_id"] = page["data"].front()["id"];
        page["last_id"] = page["data"].back()["id"];
    }
    return page;
}

result<page_query, core::api_error> parse_page_query(std::string_view query) {
    page_query out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        const auto eq = pair.find('=');
        const std::string_view key = pair.substr(0, eq);
        const std::string value =
            eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
        if (key == "limit") {
            std::size_t n = 0;
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > 100) {
                return invalid("'limit' must be an integer from 1 to 100", "limit");
            }
            out.limit = n;
        } else if (key == "order") {
            if (value != "asc" && value != "desc") {
                return invalid("'order' must be 'asc' or 'desc'", "order");
            }
            out.descending = value == "desc";
        } else if (key == "after") {
            if (!value.empty() && value.size() > max_id_length) {
                return invalid("'after' is not a valid item id", "after");
            }
            out.after = value;
        }
    }
    return out;
}

core::api_error previous_not_found(std::string_view id, std::string_view detail) {
    std::string message = "Previous response with id '";
    message += id.substr(0, max_id_length);
    message += "' not found.";
    if (!detail.empty()) {
        message += ' ';
        message += detail;
    }
    auto err = api_error::make(errc::validation_error, std::move(message),
                               std::string("previous_response_id"));
    err.code = "previous_response_not_found";
    return err;
}

}  // namespace hadrian::api::response_context
