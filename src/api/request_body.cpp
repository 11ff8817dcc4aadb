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

    if (auto it = body.find("provider"); it != body.end()) {
        out.provider_prefs = std::move(*it);
    }
    body.erase("models");
    body.erase("provider");
    body.erase("plugins");
    return out;
}

}  // namespace hadrian::api
