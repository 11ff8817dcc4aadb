#include "request_body.hpp"

#include <array>

namespace hadrian::api {

namespace {

using core::api_error;
using core::errc;

api_error invalid(std::string message, std::string param) {
    return api_error::make(errc::validation_error, std::move(message), std::move(param));
}

constexpr std::array<std::string_view, 3> known_plugins = {"moderation", "web", "file-parser"};
constexpr std::array<std::string_view, 6> known_roles = {"system",    "developer", "user",
                                                         "assistant", "tool",      "function"};

std::optional<api_error> check_messages(const nlohmann::json& body) {
    auto it = body.find("messages");
    if (it == body.end() || it->is_null()) {
        return invalid("'messages' is required", "messages");
    }
    if (!it->is_array() || it->empty()) {
        return invalid("'messages' must be a non-empty array", "messages");
    }
    for (std::size_t i = 0; i < it->size(); ++i) {
        const auto& m = (*it)[i];
        const std::string where = "messages[" + std::to_string(i) + "]";
        if (!m.is_object()) {
            return invalid("'" + where + "' must be an object", where);
        }
        auto role = m.find("role");
        if (role == m.end() || !role->is_string()) {
            return invalid("'" + where + ".role' is required", where + ".role");
        }
        const auto r = role->get_ref<const std::string&>();
        if (std::find(known_roles.begin(), known_roles.end(), r) == known_roles.end()) {
            return invalid("'" + where + ".role' has an unknown value '" + r + "'",
                           where + ".role");
        }
    }
    return std::nullopt;
}

std::optional<api_error> check_input(const nlohmann::json& body) {
    auto it = body.find("input");
    if (it == body.end() || it->is_null()) {
        return invalid("'input' is required", "input");
    }
    if (!it->is_string() && !it->is_array()) {
        return invalid("'input' must be a string or an array", "input");
    }
    return std::nullopt;
}

std::optional<api_error> check_plugins(const nlohmann::json& body) {
    auto it = body.find("plugins");
    if (it == body.end() || it->is_null()) {
        return std::nullopt;
    }
    if (!it->is_array()) {
        return invalid("'plugins' must be an array", "plugins");
    }
    for (const auto& p : *it) {
        auto id = p.is_object() ? p.find("id") : p.end();
        if (!p.is_object() || id == p.end() || !id->is_string()) {
            return invalid("each plugin must be an object with a string 'id'", "plugins");
        }
        const auto& name = id->get_ref<const std::string&>();
        if (std::find(known_plugins.begin(), known_plugins.end(), name) == known_plugins.end()) {
            return invalid("Unknown plugin id '" + name + "'", "plugins");
        }
    }
    return std::nullopt;
}

/// Where the `model` value lies in `raw` when the body may pass through as text (see
/// prepare_request); `body` is `raw` parsed, before the extensions are removed.
std::optional<core::json_span> passthrough_model(std::string_view raw, const nlohmann::json& body,
                                                 const prepared_request& req) {
    if (req.stream && !req.client_wants_usage) {
        return std::nullopt;
    }
    for (const char* key : {"models", "provider", "plugins", "top_k"}) {
        if (body.contains(key)) {
            return std::nullopt;
        }
    }
    if (!body.contains("model")) {
        return std::nullopt;
    }
    std::size_t members = 0;
    std::optional<std::string_view> model;
    std::optional<std::string_view> stream_options;
    const bool object = core::json_members(raw, [&](const core::json_member& m) {
        ++members;
        if (m.key == "model") {
            model = m.value;
        } else if (m.key == "stream_options") {
            stream_options = m.value;
        }
        return true;
    });
    // A repeated member shows as fewer members parsed than scanned.
    if (!object || !model || members != body.size()) {
        return std::nullopt;
    }
    if (req.stream) {
        // The parsed body reads the last of repeated `include_usage` members, upstreams may
        // read the first: both must ask for usage.
        const auto usage = stream_options
                               ? core::json_member_value(*stream_options, "include_usage")
                               : std::nullopt;
        if (usage != "true") {
            return std::nullopt;
        }
    }
    return core::json_span_of(raw, *model);
}

}  // namespace

result<prepared_request, core::api_error> prepare_request(providers::operation op,
                                                          std::string_view raw) {
    prepared_request out;
    out.body = nlohmann::json::parse(raw, nullptr, false);
    if (out.body.is_discarded()) {
        return api_error::make(errc::invalid_json, "Request body is not valid JSON");
    }
    auto& body = out.body;
    if (!body.is_object()) {
        return invalid("Request body must be a JSON object", "body");
    }

    if (auto it = body.find("model"); it != body.end() && !it->is_null()) {
        if (!it->is_string()) {
            return invalid("'model' must be a string", "model");
        }
        out.model = it->get<std::string>();
    }
    if (auto it = body.find("models"); it != body.end() && !it->is_null()) {
        if (!it->is_array()) {
            return invalid("'models' must be an array of strings", "models");
        }
        for (const auto& m : *it) {
            if (!m.is_string()) {
                return invalid("'models' must be an array of strings", "models");
            }
            out.models.push_back(m.get<std::string>());
        }
    }
    if (auto it = body.find("stream"); it != body.end() && !it->is_null()) {
        if (!it->is_boolean()) {
            return invalid("'stream' must be a boolean", "stream");
        }
        out.stream = it->get<bool>();
    }
    if (auto it = body.find("stream_options"); it != body.end() && !it->is_null()) {
        if (!it->is_object()) {
            return invalid("'stream_options' must be an object", "stream_options");
        }
        auto u = it->find("include_usage");
        out.client_wants_usage = u != it->end() && u->is_boolean() && u->get<bool>();
    }
    if (auto it = body.find("provider"); it != body.end() && !it->is_null() && !it->is_object()) {
        return invalid("'provider' must be an object", "provider");
    }
    if (auto e = check_plugins(body)) {
        return *e;
    }
    std::optional<api_error> shape;
    switch (op) {
        case providers::operation::chat_completions:
            shape = check_messages(body);
            break;
        case providers::operation::responses:
        case providers::operation::embeddings:
            shape = check_input(body);
            break;
    }
    if (shape) {
        return *shape;
    }
    if (op == providers::operation::embeddings && out.stream) {
        return invalid("'stream' is not supported for embeddings", "stream");
    }

    if (op == providers::operation::chat_completions) {
        out.raw_model = passthrough_model(raw, body, out);
    }
    if (auto it = body.find("provider"); it != body.end()) {
        out.provider_prefs = std::move(*it);
    }
    body.erase("models");
    body.erase("provider");
    body.erase("plugins");
    return out;
}

}  // namespace hadrian::api
