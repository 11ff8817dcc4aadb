// Chat completion body → Responses `response` object, and the pieces the stream shares.
#include "responses_bridge.hpp"

#include <chrono>

#include "hadrian/core/uuid.hpp"
#include "provider_common.hpp"

namespace hadrian::providers {

namespace responses_detail {

namespace {

using json = nlohmann::json;

std::int64_t int_field(const json& obj, const char* key) {
    if (!obj.is_object()) {
        return 0;
    }
    auto it = obj.find(key);
    if (it != obj.end() && it->is_number()) {
        return it->get<std::int64_t>();
    }
    return 0;
}

/// The request's value for `key`, or `fallback` when absent or null.
json echo(const json& request, const char* key, json fallback) {
    auto it = request.find(key);
    if (it == request.end() || it->is_null()) {
        return fallback;
    }
    return *it;
}

}  // namespace

nlohmann::json map_usage(const nlohmann::json& chat_usage) {
    if (!chat_usage.is_object()) {
        return nullptr;
    }
    const std::int64_t input = int_field(chat_usage, "prompt_tokens");
    const std::int64_t output = int_field(chat_usage, "completion_tokens");
    std::int64_t total = int_field(chat_usage, "total_tokens");
    if (total == 0) {
        total = input + output;
    }
    std::int64_t cached = 0;
    if (auto d = chat_usage.find("prompt_tokens_details"); d != chat_usage.end()) {
        cached = int_field(*d, "cached_tokens");
    }
    std::int64_t reasoning = 0;
    if (auto d = chat_usage.find("completion_tokens_details"); d != chat_usage.end()) {
        reasoning = int_field(*d, "reasoning_tokens");
    }
    return {{"input_tokens", input},
            {"input_tokens_details", {{"cached_tokens", cached}}},
            {"output_tokens", output},
            {"output_tokens_details", {{"reasoning_tokens", reasoning}}},
            {"total_tokens", total}};
}

std::optional<std::string> incomplete_reason(std::string_view finish_reason) {
    if (finish_reason == "length") {
        return std::string("max_output_tokens");
    }
    if (finish_reason == "content_filter") {
        return std::string("content_filter");
    }
    return std::nullopt;
}

nlohmann::json response_envelope(const std::string& id, std::int64_t created_at,
                                 const std::string& model, const nlohmann::json& request) {
    const json& req = request.is_object() ? request : json::object();
    json reasoning = {{"effort", nullptr}, {"summary", nullptr}};
    if (auto r = req.find("reasoning"); r != req.end() && r->is_object()) {
        reasoning["effort"] = echo(*r, "effort", nullptr);
        reasoning["summary"] = echo(*r, "summary", nullptr);
    }
    json out = {
        {"id", id},
        {"object", "response"},
        {"created_at", created_at},
        {"status", "in_progress"},
        {"completed_at", nullptr},
        {"error", nullptr},
        {"incomplete_details", nullptr},
        {"instructions", echo(req, "instructions", nullptr)},
        {"max_output_tokens", echo(req, "max_output_tokens", nullptr)},
        {"metadata", echo(req, "metadata", json::object())},
        {"model", model},
        {"output", json::array()},
        {"parallel_tool_calls", echo(req, "parallel_tool_calls", true)},
        {"previous_response_id", echo(req, "previous_response_id", nullptr)},
        {"reasoning", std::move(reasoning)},
        {"temperature", echo(req, "temperature", 1.0)},
        {"text", echo(req, "text", {{"format", {{"type", "text"}}}})},
        {"tool_choice", echo(req, "tool_choice", "auto")},
        {"tools", echo(req, "tools", json::array())},
        {"top_p", echo(req, "top_p", 1.0)},
        {"truncation", echo(req, "truncation", "disabled")},
        {"usage", nullptr},
        {"user", echo(req, "user", nullptr)},
    };
    if (auto store = req.find("store"); store != req.end() && store->is_boolean()) {
        out["store"] = *store;
    }
    return out;
}

void finish_envelope(nlohmann::json& response, const std::optional<std::string>& incomplete,
                     nlohmann::json output, nlohmann::json usage) {
    if (incomplete) {
        response["status"] = "incomplete";
        response["incomplete_details"] = {{"reason", *incomplete}};
    } else {
        response["status"] = "completed";
        response["completed_at"] = now_secs();
    }
    response["output"] = std::move(output);
    response["usage"] = std::move(usage);
}

std::string item_id(std::string_view prefix, std::string_view base, std::size_t output_index) {
    std::string id(prefix);
    id += '_';
    id += base;
    id += '_';
    id += std::to_string(output_index);
    return id;
}

std::string random_id_base() {
    std::string id = core::new_uuid();
    std::erase(id, '-');
    return id;
}

std::optional<core::api_error> unresolved_previous_response(const nlohmann::json& request) {
    if (!request.is_object()) {
        return std::nullopt;
    }
    auto it = request.find("previous_response_id");
    if (it == request.end() || it->is_null()) {
        return std::nullopt;
    }
    std::string id = it->is_string() ? it->get<std::string>() : it->dump();
    if (id.size() > 256) {
        id.resize(256);
    }
    auto err = core::api_error::make(
        core::errc::validation_error,
        "Previous response with id '" + id +
            "' not found. This provider keeps no responses; the gateway stores them only when "
            "it has a database.",
        std::string("previous_response_id"));
    err.code = "previous_response_not_found";
    return err;
}

}  // namespace responses_detail

namespace {

using json = nlohmann::json;
using namespace responses_detail;

std::string string_or(const json& obj, const char* key, std::string fallback) {
    if (!obj.is_object()) {
        return fallback;
    }
    auto it = obj.find(key);
    if (it != obj.end() && it->is_string()) {
        return it->get<std::string>();
    }
    return fallback;
}

/// Text of a chat message's content (a string, or text parts).
std::string content_text(const json& message) {
    auto content = message.find("content");
    if (content == message.end()) {
        return {};
    }
    if (content->is_string()) {
        return content->get<std::string>();
    }
    std::string text;
    if (content->is_array()) {
        for (const auto& part : *content) {
            text += string_or(part, "text", "");
        }
    }
    return text;
}

json message_item(const std::string& id, const json& message, const char* status) {
    json content = json::array();
    const std::string text = content_text(message);
    auto refusal = message.find("refusal");
    const bool has_refusal = refusal != message.end() && refusal->is_string();
    if (!text.empty() || !has_refusal) {
        content.push_back({{"type", "output_text"},
                           {"text", text},
                           {"annotations", json::array()},
                           {"logprobs", json::array()}});
    }
    if (has_refusal) {
        content.push_back({{"type", "refusal"}, {"refusal", *refusal}});
    }
    return {{"type", "message"},
            {"id", id},
            {"status", status},
            {"role", "assistant"},
            {"content", std::move(content)}};
}

}  // namespace

nlohmann::json chat_to_response(const nlohmann::json& chat_completion,
                                const nlohmann::json& responses_request) {
    const json& chat = chat_completion.is_object() ? chat_completion : json::object();
    std::string base = string_or(chat, "id", "");
    if (base.empty()) {
        base = random_id_base();
    }
    std::int64_t created = now_secs();
    if (auto c = chat.find("created"); c != chat.end() && c->is_number()) {
        created = c->get<std::int64_t>();
    }
    const std::string model = string_or(chat, "model", string_or(responses_request, "model", ""));
    json response = response_envelope("resp_" + base, created, model, responses_request);

    json message = json::object();
    std::string finish;
    if (auto choices = chat.find("choices");
        choices != chat.end() && choices->is_array() && !choices->empty()) {
        const json& choice = choices->front();
        if (auto m = choice.find("message"); m != choice.end() && m->is_object()) {
            message = *m;
        }
        finish = string_or(choice, "finish_reason", "");
    }
    const auto incomplete = incomplete_reason(finish);
    const char* status = incomplete ? "incomplete" : "completed";

    json output = json::array();
    const std::string reasoning = string_or(message, "reasoning", "");
    if (!reasoning.empty()) {
        output.push_back(
            {{"type", "reasoning"},
             {"id", item_id("rs", base, output.size())},
             {"summary", json::array({{{"type", "summary_text"}, {"text", reasoning}}})}});
    }
    json tool_calls = json::array();
    if (auto t = message.find("tool_calls"); t != message.end() && t->is_array()) {
        tool_calls = *t;
    }
    const bool has_refusal = message.value("refusal", json()).is_string();
    if (tool_calls.empty() || has_refusal || !content_text(message).empty()) {
        output.push_back(message_item(item_id("msg", base, output.size()), message, status));
    }
    for (const auto& call : tool_calls) {
        const json function = call.is_object() ? call.value("function", json::object()) : json();
        const std::string id = item_id("fc", base, output.size());
        output.push_back({{"type", "function_call"},
                          {"id", id},
                          {"call_id", string_or(call, "id", "call_" + id.substr(3))},
                          {"name", string_or(function, "name", "")},
                          {"arguments", string_or(function, "arguments", "")},
                          {"status", status}});
    }
    finish_envelope(response, incomplete, std::move(output),
                    map_usage(chat.value("usage", json())));
    return response;
}

}  // namespace hadrian::providers
