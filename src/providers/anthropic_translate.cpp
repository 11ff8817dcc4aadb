#include "anthropic_translate.hpp"

#include <algorithm>
#include <boost/system/result.hpp>
#include <chrono>

#include "translate_common.hpp"
#include "upstream_errors.hpp"

namespace hadrian::providers {

namespace {

using nlohmann::json;

json text_block(std::string text, const json& part) {
    json block = {{"type", "text"}, {"text", std::move(text)}};
    if (const json* cc = member(part, "cache_control")) {
        block["cache_control"] = *cc;
    }
    return block;
}

/// The text of a system / developer / tool content: a string or text parts joined.
result<std::string, core::api_error> plain_text(const json& content, const std::string& param) {
    if (content.is_string()) {
        return content.get<std::string>();
    }
    if (content.is_null()) {
        return std::string();
    }
    if (!content.is_array()) {
        return invalid("content must be a string or an array of parts", param);
    }
    std::string out;
    for (const auto& part : content) {
        if (string_member(part, "type") != "text") {
            return invalid("only text parts are allowed here", param);
        }
        if (!out.empty()) {
            out += '\n';
        }
        out += string_member(part, "text");
    }
    return out;
}

/// `image_url` part → an image block (data URL → base64 source, http(s) URL → url source).
result<json, core::api_error> image_block(const json& part, const std::string& param) {
    const json* image = member(part, "image_url");
    std::string url;
    if (image != nullptr && image->is_string()) {
        url = image->get<std::string>();
    } else if (image != nullptr) {
        url = string_member(*image, "url");
    }
    if (url.rfind("data:", 0) == 0) {
        const auto comma = url.find(',');
        const auto marker = url.find(";base64");
        if (comma == std::string::npos || marker == std::string::npos || marker > comma) {
            return invalid("image data URLs must be base64-encoded", param);
        }
        json source = {{"type", "base64"},
                       {"media_type", url.substr(5, marker - 5)},
                       {"data", url.substr(comma + 1)}};
        return ok(json{{"type", "image"}, {"source", std::move(source)}});
    }
    if (url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0) {
        json source = {{"type", "url"}, {"url", url}};
        return ok(json{{"type", "image"}, {"source", std::move(source)}});
    }
    return invalid("image_url.url must be a data URL or an http(s) URL", param);
}

/// User or assistant content → Anthropic content blocks (empty text is left out: Anthropic
/// rejects empty text blocks).
result<json, core::api_error> content_blocks(const json& content, const std::string& param) {
    json blocks = json::array();
    if (content.is_null()) {
        return ok(std::move(blocks));
    }
    if (content.is_string()) {
        if (!content.get_ref<const std::string&>().empty()) {
            blocks.push_back(text_block(content.get<std::string>(), json()));
        }
        return ok(std::move(blocks));
    }
    if (!content.is_array()) {
        return invalid("content must be a string or an array of parts", param);
    }
    for (const auto& part : content) {
        const std::string type = string_member(part, "type");
        if (type == "text" || type == "refusal") {
            std::string text = string_member(part, type == "text" ? "text" : "refusal");
            if (!text.empty()) {
                blocks.push_back(text_block(std::move(text), part));
            }
        } else if (type == "image_url") {
            auto image = image_block(part, param);
            if (!image) {
                return image.error();
            }
            blocks.push_back(std::move(*image));
        } else {
            return invalid("content part type '" + type + "' is not supported by this provider",
                           param);
        }
    }
    return ok(std::move(blocks));
}

result<json, core::api_error> tool_use_blocks(const json& calls, const std::string& param) {
    json blocks = json::array();
    if (!calls.is_array()) {
        return invalid("tool_calls must be an array", param);
    }
    for (const auto& call : calls) {
        const json* fn = member(call, "function");
        if (fn == nullptr) {
            return invalid("tool call without a function", param);
        }
        const std::string args = string_member(*fn, "arguments");
        json input = json::object();
        if (!args.empty()) {
            input = json::parse(args, nullptr, false);
            if (input.is_discarded() || !input.is_object()) {
                return invalid("tool call arguments are not a JSON object", param);
            }
        }
        blocks.push_back({{"type", "tool_use"},
                          {"id", string_member(call, "id")},
                          {"name", string_member(*fn, "name")},
                          {"input", std::move(input)}});
    }
    return ok(std::move(blocks));
}

result<json, core::api_error> tool_result_block(const json& msg, const std::string& param) {
    json block = {{"type", "tool_result"}, {"tool_use_id", string_member(msg, "tool_call_id")}};
    const json* content = member(msg, "content");
    if (content != nullptr && content->is_array()) {
        auto parts = content_blocks(*content, param);
        if (!parts) {
            return parts.error();
        }
        block["content"] = std::move(*parts);
    } else {
        auto text = plain_text(content != nullptr ? *content : json(), param);
        if (!text) {
            return text.error();
        }
        block["content"] = std::move(*text);
    }
    return ok(std::move(block));
}

/// Appends `blocks` as a `role` message, merged into the previous one of the same role.
void append_message(json& messages, const std::string& role, json blocks) {
    if (blocks.empty()) {
        return;
    }
    if (!messages.empty() && messages.back()["role"] == role) {
        auto& content = messages.back()["content"];
        for (auto& b : blocks) {
            content.push_back(std::move(b));
        }
        return;
    }
    messages.push_back({{"role", role}, {"content", std::move(blocks)}});
}

result<void, core::api_error> translate_messages(const json& chat, json& out) {
    const json* msgs = member(chat, "messages");
    if (msgs == nullptr || !msgs->is_array()) {
        return invalid("messages must be an array", "messages");
    }
    std::string system;
    json messages = json::array();
    for (std::size_t i = 0; i < msgs->size(); ++i) {
        const json& msg = (*msgs)[i];
        const std::string param = "messages[" + std::to_string(i) + "]";
        const std::string role = string_member(msg, "role");
        const json* content = member(msg, "content");
        const json& content_or_null = content != nullptr ? *content : json();
        if (role == "system" || role == "developer") {
            auto text = plain_text(content_or_null, param + ".content");
            if (!text) {
                return text.error();
            }
            if (!text->empty()) {
                system += system.empty() ? "" : "\n\n";
                system += *text;
            }
        } else if (role == "user" || role == "assistant") {
            auto blocks = content_blocks(content_or_null, param + ".content");
            if (!blocks) {
                return blocks.error();
            }
            if (const json* calls = member(msg, "tool_calls"); calls != nullptr) {
                if (role != "assistant") {
                    return invalid("only assistant messages carry tool_calls", param);
                }
                auto uses = tool_use_blocks(*calls, param + ".tool_calls");
                if (!uses) {
                    return uses.error();
                }
                for (auto& u : *uses) {
                    blocks->push_back(std::move(u));
                }
            }
            append_message(messages, role, std::move(*blocks));
        } else if (role == "tool") {
            auto block = tool_result_block(msg, param + ".content");
            if (!block) {
                return block.error();
            }
            json blocks = json::array();
            blocks.push_back(std::move(*block));
            append_message(messages, "user", std::move(blocks));
        } else {
            return invalid("message role '" + role + "' is not supported by this provider",
                           param + ".role");
        }
    }
    if (!system.empty()) {
        out["system"] = std::move(system);
    }
    out["messages"] = std::move(messages);
    return {};
}

result<void, core::api_error> translate_tools(const json& chat, json& out) {
    const json* tools = member(chat, "tools");
    if (tools == nullptr) {
        return {};
    }
    if (!tools->is_array()) {
        return invalid("tools must be an array", "tools");
    }
    json list = json::array();
    for (const auto& tool : *tools) {
        const json* fn = member(tool, "function");
        if (string_member(tool, "type") != "function" || fn == nullptr) {
            return invalid("only function tools are supported by this provider", "tools");
        }
        json t = {{"name", string_member(*fn, "name")}};
        if (const json* d = member(*fn, "description"); d != nullptr && d->is_string()) {
            t["description"] = *d;
        }
        const json* params = member(*fn, "parameters");
        t["input_schema"] = params != nullptr && params->is_object()
                                ? *params
                                : json{{"type", "object"}, {"properties", json::object()}};
        list.push_back(std::move(t));
    }
    if (list.empty()) {
        return {};
    }
    json choice;
    if (const json* tc = member(chat, "tool_choice"); tc != nullptr) {
        if (tc->is_string()) {
            const auto& s = tc->get_ref<const std::string&>();
            if (s == "auto" || s == "none") {
                choice = {{"type", s}};
            } else if (s == "required") {
                choice = {{"type", "any"}};
            } else {
                return invalid("tool_choice must be none, auto, required or a function",
                               "tool_choice");
            }
        } else if (const json* fn = member(*tc, "function"); fn != nullptr) {
            choice = {{"type", "tool"}, {"name", string_member(*fn, "name")}};
        } else {
            return invalid("tool_choice must be none, auto, required or a function", "tool_choice");
        }
    }
    const json* parallel = member(chat, "parallel_tool_calls");
    if (parallel != nullptr && parallel->is_boolean() && !parallel->get<bool>()) {
        if (choice.is_null()) {
            choice = {{"type", "auto"}};
        }
        if (choice["type"] != "none") {
            choice["disable_parallel_tool_use"] = true;
        }
    }
    out["tools"] = std::move(list);
    if (!choice.is_null()) {
        out["tool_choice"] = std::move(choice);
    }
    return {};
}

result<std::int64_t, core::api_error> max_tokens_of(const json& chat, std::uint32_t fallback) {
    for (const char* key : {"max_completion_tokens", "max_tokens"}) {
        if (const json* v = member(chat, key); v != nullptr) {
            if (!v->is_number_integer() || v->get<std::int64_t>() < 1) {
                return invalid(std::string(key) + " must be a positive integer", key);
            }
            return v->get<std::int64_t>();
        }
    }
    return static_cast<std::int64_t>(fallback);
}

}  // namespace

result<json, core::api_error> anthropic_request(const json& chat, const std::string& model,
                                                std::uint32_t default_max_tokens) {
    if (const json* n = member(chat, "n"); n != nullptr && n->is_number() && n->get<double>() > 1) {
        return invalid("n > 1 is not supported", "n");
    }
    json out = {{"model", model}};
    if (auto r = translate_messages(chat, out); !r) {
        return r.error();
    }
    auto max_tokens = max_tokens_of(chat, default_max_tokens);
    if (!max_tokens) {
        return max_tokens.error();
    }
    out["max_tokens"] = *max_tokens;
    std::int64_t budget = 0;
    if (const json* effort = member(chat, "reasoning_effort"); effort != nullptr) {
        const std::string e = effort->is_string() ? effort->get<std::string>() : std::string();
        if (e == "minimal" || e == "low") {
            budget = anthropic_budget_low;
        } else if (e == "medium") {
            budget = anthropic_budget_medium;
        } else if (e == "high") {
            budget = anthropic_budget_high;
        } else if (e != "none") {
            return invalid("reasoning_effort must be none, minimal, low, medium or high",
                           "reasoning_effort");
        }
    }
    if (budget > 0) {
        out["thinking"] = {{"type", "enabled"}, {"budget_tokens", budget}};
        if (*max_tokens <= budget) {
            // The budget counts against max_tokens: keep the asked-for room for the answer.
            out["max_tokens"] = budget + *max_tokens;
        }
    } else {
        for (const char* key : {"temperature", "top_p", "top_k"}) {
            if (const json* v = member(chat, key); v != nullptr) {
                out[key] = *v;
            }
        }
    }
    if (const json* stop = member(chat, "stop"); stop != nullptr) {
        if (stop->is_string()) {
            out["stop_sequences"] = json::array({*stop});
        } else if (stop->is_array() && !stop->empty()) {
            out["stop_sequences"] = *stop;
        }
    }
    if (auto r = translate_tools(chat, out); !r) {
        return r.error();
    }
    if (const json* user = member(chat, "user"); user != nullptr && user->is_string()) {
        out["metadata"] = {{"user_id", *user}};
    }
    if (const json* stream = member(chat, "stream"); stream != nullptr && stream->is_boolean()) {
        if (stream->get<bool>()) {
            out["stream"] = true;
        }
    }
    return ok(std::move(out));
}

std::string anthropic_finish_reason(std::string_view stop_reason) {
    if (stop_reason == "max_tokens" || stop_reason == "model_context_window_exceeded") {
        return "length";
    }
    if (stop_reason == "tool_use") {
        return "tool_calls";
    }
    if (stop_reason == "refusal") {
        return "content_filter";
    }
    return "stop";
}

json anthropic_usage(const json& usage) {
    const std::int64_t input = int_member(usage, "input_tokens");
    const std::int64_t read = int_member(usage, "cache_read_input_tokens");
    const std::int64_t write = int_member(usage, "cache_creation_input_tokens");
    const std::int64_t output = int_member(usage, "output_tokens");
    const std::int64_t prompt = input + read + write;
    return {{"prompt_tokens", prompt},
            {"completion_tokens", output},
            {"total_tokens", prompt + output},
            {"prompt_tokens_details", {{"cached_tokens", read}, {"cache_write_tokens", write}}}};
}

json anthropic_to_chat(const json& message, const std::string& model) {
    std::string text;
    std::string reasoning;
    json tool_calls = json::array();
    if (const json* content = member(message, "content");
        content != nullptr && content->is_array()) {
        for (const auto& block : *content) {
            const std::string type = string_member(block, "type");
            if (type == "text") {
                text += string_member(block, "text");
            } else if (type == "thinking") {
                reasoning += string_member(block, "thinking");
            } else if (type == "tool_use") {
                const json* input = member(block, "input");
                json fn = {{"name", string_member(block, "name")},
                           {"arguments", input != nullptr ? input->dump() : std::string("{}")}};
                tool_calls.push_back({{"id", string_member(block, "id")},
                                      {"type", "function"},
                                      {"function", std::move(fn)}});
            }
        }
    }
    json msg = {{"role", "assistant"}, {"content", text}, {"refusal", nullptr}};
    if (text.empty() && !tool_calls.empty()) {
        msg["content"] = nullptr;
    }
    if (!reasoning.empty()) {
        msg["reasoning"] = std::move(reasoning);
    }
    if (!tool_calls.empty()) {
        msg["tool_calls"] = std::move(tool_calls);
    }
    const std::int64_t created = std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
    json choice = {
        {"index", 0},
        {"message", std::move(msg)},
        {"logprobs", nullptr},
        {"finish_reason", anthropic_finish_reason(string_member(message, "stop_reason"))}};
    const json* usage = member(message, "usage");
    return {{"id", "chatcmpl-" + string_member(message, "id")},
            {"object", "chat.completion"},
            {"created", created},
            {"model", model},
            {"choices", json::array({std::move(choice)})},
            {"usage", anthropic_usage(usage != nullptr ? *usage : json::object())}};
}

std::string anthropic_openai_error_type(std::string_view t) {
    if (t == "authentication_error" || t == "permission_error" || t == "rate_limit_error") {
        return std::string(t);
    }
    if (t == "api_error" || t == "overloaded_error" || t == "timeout_error") {
        return "server_error";
    }
    return "invalid_request_error";
}

int anthropic_error_status(std::string_view t) {
    if (t == "invalid_request_error") {
        return 400;
    }
    if (t == "authentication_error") {
        return 401;
    }
    if (t == "billing_error") {
        return 402;
    }
    if (t == "permission_error") {
        return 403;
    }
    if (t == "not_found_error") {
        return 404;
    }
    if (t == "request_too_large") {
        return 413;
    }
    if (t == "rate_limit_error") {
        return 429;
    }
    if (t == "api_error") {
        return 500;
    }
    if (t == "timeout_error") {
        return 504;
    }
    if (t == "overloaded_error") {
        return 529;
    }
    return 502;
}

core::api_error anthropic_error(int status, std::string_view body,
                                const core::header_fields& headers) {
    core::api_error err = from_http_error(status, body, headers);
    const json parsed = json::parse(body, nullptr, false);
    const json* e = parsed.is_discarded() ? nullptr : member(parsed, "error");
    const std::string type = e != nullptr ? string_member(*e, "type") : std::string();
    if (!type.empty()) {
        err.code = type;
        err.type = anthropic_openai_error_type(type);
        err.param.reset();
    }
    return err;
}

}  // namespace hadrian::providers
