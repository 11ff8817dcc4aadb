#include "request_body.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>

#include "hadrian/core/json_validate.hpp"

namespace hadrian::api {

namespace {

using core::api_error;
using core::errc;

api_error invalid(std::string message, std::string param) {
    return api_error::make(errc::validation_error, std::move(message), std::move(param));
}

/// Members that keep a body from going upstream as written: the Hadrian extensions, removed,
/// and `top_k`, which OpenAI-type upstreams do not take.
constexpr std::array<std::string_view, 4> rewritten_members = {"models", "provider", "plugins",
                                                               "top_k"};

bool rewritten_member(std::string_view key) {
    return std::find(rewritten_members.begin(), rewritten_members.end(), key) !=
           rewritten_members.end();
}

constexpr std::array<std::string_view, 3> known_plugins = {"moderation", "web", "file-parser"};
constexpr std::array<std::string_view, 6> known_roles = {"system",    "developer", "user",
                                                         "assistant", "tool",      "function"};

/// The members that bound an answer's length, in the order the first positive one counts.
constexpr std::array<std::string_view, 3> output_bounds = {"max_completion_tokens", "max_tokens",
                                                           "max_output_tokens"};

/// The first positive of `found` (indexed as output_bounds), or 0.
std::int64_t first_bound(const std::array<std::int64_t, 3>& found) {
    for (const std::int64_t v : found) {
        if (v > 0) {
            return v;
        }
    }
    return 0;
}

/// The value of a member named in output_bounds when it is a positive integer written as one
/// (no fraction, no exponent, within int64), else 0.
std::int64_t positive_integer(std::string_view text) {
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    return ec == std::errc() && ptr == end && v > 0 ? v : 0;
}

std::int64_t output_bound_of(const nlohmann::json& body) {
    std::array<std::int64_t, 3> found{};
    for (std::size_t i = 0; i < output_bounds.size(); ++i) {
        const auto it = body.find(output_bounds[i]);
        if (it == body.end()) {
            continue;
        }
        if (it->is_number_unsigned()) {
            const auto v = it->get<std::uint64_t>();
            found[i] =
                v <= static_cast<std::uint64_t>(INT64_MAX) ? static_cast<std::int64_t>(v) : 0;
        } else if (it->is_number_integer()) {
            found[i] = std::max<std::int64_t>(it->get<std::int64_t>(), 0);
        }
    }
    return first_bound(found);
}

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
/// Sets req.add_usage_option when the text needs the usage option added.
std::optional<core::json_span> passthrough_model(std::string_view raw, const nlohmann::json& body,
                                                 prepared_request& req) {
    for (const std::string_view key : rewritten_members) {
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
        if (!stream_options) {
            req.add_usage_option = true;
        } else if (core::json_member_value(*stream_options, "include_usage") != "true") {
            // The parsed body reads the last of repeated `include_usage` members, upstreams may
            // read the first: both must ask for usage.
            return std::nullopt;
        }
    }
    return core::json_span_of(raw, *model);
}

/// Reads the member `key` of the object `text` into `value` (left empty when absent). False
/// when `text` is not an object or holds `key` more than once.
bool read_once(std::string_view text, std::string_view key,
               std::optional<std::string_view>& value) {
    bool once = true;
    const bool object = core::json_members(text, [&](const core::json_member& m) {
        if (m.key == key) {
            once = !value;
            value = m.value;
        }
        return once;
    });
    return object && once;
}

bool known_role(std::string_view literal) {
    if (literal.size() < 2 || literal.front() != '"' ||
        literal.find('\\') != std::string_view::npos) {
        return false;
    }
    const auto role = literal.substr(1, literal.size() - 2);
    return std::find(known_roles.begin(), known_roles.end(), role) != known_roles.end();
}

/// The size of the message at the start of `rest` when it is an object with one known `role`;
/// json_npos (and `plain` false) otherwise. Its other members are skipped, once.
std::size_t plain_message(std::string_view rest, bool& plain) {
    if (rest.front() != '{') {
        plain = false;
        return core::json_npos;
    }
    std::optional<std::string_view> role;
    bool once = true;
    const std::size_t size =
        core::json_object_at(rest, [&](std::string_view key, std::string_view v) {
            const std::size_t n = core::json_value_size(v);
            if (key == "role" && n != core::json_npos) {
                once = once && !role;
                role = v.substr(0, n);
            }
            return n;
        });
    plain = size != core::json_npos && once && role && known_role(*role);
    return plain ? size : core::json_npos;
}

/// A chat completion that goes upstream as written, prepared from one scan of its text:
/// valid JSON (json_surely_valid), each top-level member once and named without escapes, a
/// string `model`, none of the members the gateway rewrites, `stream` a boolean or null, and
/// every message an object with one known `role`. nullopt for anything else: prepare_request
/// then parses the body, and answers its errors. After the validation, the members are read
/// in one walk: the messages are walked where they lie, not skipped and then walked again.
std::optional<prepared_request> scanned_chat(std::string_view raw) {
    if (!core::json_surely_valid(raw)) {
        return std::nullopt;
    }
    constexpr std::size_t max_members = 64;
    std::array<std::string_view, max_members> seen;
    std::size_t count = 0;
    std::optional<std::string_view> model;
    std::optional<std::string_view> stream;
    std::optional<std::string_view> stream_options;
    std::size_t messages = 0;
    std::array<std::int64_t, 3> bounds{};
    bool plain = true;
    const std::size_t start = raw.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) {
        return std::nullopt;
    }
    const std::size_t size =
        core::json_object_at(raw.substr(start), [&](std::string_view key, std::string_view v) {
            const bool escaped = key.data() < raw.data() || key.data() >= raw.data() + raw.size();
            if (escaped || count == max_members ||
                std::find(seen.begin(), seen.begin() + count, key) != seen.begin() + count ||
                rewritten_member(key)) {
                plain = false;
                return core::json_npos;
            }
            seen[count++] = key;
            if (key == "messages") {
                return core::json_array_at(v, [&](std::string_view m) {
                    ++messages;
                    return plain_message(m, plain);
                });
            }
            const std::size_t n = core::json_value_size(v);
            if (n != core::json_npos) {
                if (key == "model") {
                    model = v.substr(0, n);
                } else if (key == "stream") {
                    stream = v.substr(0, n);
                } else if (key == "stream_options") {
                    stream_options = v.substr(0, n);
                } else if (key.starts_with("max_")) {
                    for (std::size_t i = 0; i < output_bounds.size(); ++i) {
                        if (key == output_bounds[i]) {
                            bounds[i] = positive_integer(v.substr(0, n));
                        }
                    }
                }
            }
            return n;
        });
    if (size == core::json_npos || !plain || !model || model->front() != '"' || messages == 0) {
        return std::nullopt;
    }
    prepared_request out;
    out.output_bound = first_bound(bounds);
    if (stream && *stream != "null") {
        if (*stream != "true" && *stream != "false") {
            return std::nullopt;
        }
        out.stream = *stream == "true";
    }
    if (stream_options && *stream_options != "null") {
        if (stream_options->front() != '{') {
            return std::nullopt;
        }
        std::optional<std::string_view> usage;
        if (!read_once(*stream_options, "include_usage", usage)) {
            return std::nullopt;
        }
        out.client_wants_usage = usage == "true";
    }
    if (out.stream && !out.client_wants_usage) {
        if (stream_options) {
            return std::nullopt;  // the gateway's include_usage in the client's options: parsed
        }
        out.add_usage_option = true;
    }
    auto name = core::json_string_value(*model);
    if (!name) {
        return std::nullopt;
    }
    out.model = std::move(*name);
    out.raw_model = core::json_span_of(raw, *model);
    out.text_only = true;
    return out;
}

}  // namespace

result<prepared_request, core::api_error> prepare_request(providers::operation op,
                                                          std::string_view raw) {
    if (op == providers::operation::chat_completions) {
        if (auto scanned = scanned_chat(raw)) {
            return std::move(*scanned);
        }
    }
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
    out.output_bound = output_bound_of(body);
    if (auto it = body.find("provider"); it != body.end()) {
        out.provider_prefs = std::move(*it);
    }
    body.erase("models");
    body.erase("provider");
    body.erase("plugins");
    return out;
}

const result<prepared_request, core::api_error>& prepared_for(request_context& ctx,
                                                              providers::operation op) {
    if (!ctx.prepared || ctx.prepared->op != op) {
        ctx.prepared =
            std::make_shared<prepared_memo>(prepared_memo{op, prepare_request(op, ctx.req.body())});
    }
    return ctx.prepared->outcome;
}

result<prepared_request, core::api_error> take_prepared(request_context& ctx,
                                                        providers::operation op) {
    if (!ctx.prepared || ctx.prepared->op != op) {
        return prepare_request(op, ctx.req.body());
    }
    auto out = std::move(ctx.prepared->outcome);
    ctx.prepared.reset();
    return out;
}

}  // namespace hadrian::api
