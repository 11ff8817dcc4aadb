#include "bedrock_translate.hpp"

#include "sigv4.hpp"
#include "translate_common.hpp"
#include "upstream_errors.hpp"

namespace hadrian::providers::converse {

using nlohmann::json;

namespace {

bool is_anthropic(std::string_view model) {
    return model.find("anthropic.") != std::string_view::npos;
}

bool is_nova(std::string_view model) { return model.find("amazon.nova") != std::string_view::npos; }

/// Text blocks of a message content (a string, or text / refusal parts).
result<json, core::api_error> text_blocks(const json& content, const std::string& where) {
    json out = json::array();
    if (content.is_string()) {
        if (!content.get_ref<const std::string&>().empty()) {
            out.push_back({{"text", content}});
        }
        return ok(std::move(out));
    }
    if (content.is_null()) {
        return ok(std::move(out));
    }
    if (!content.is_array()) {
        return invalid("content must be a string or an array of parts", where);
    }
    for (std::size_t j = 0; j < content.size(); ++j) {
        const json& part = content[j];
        const std::string type = string_member(part, "type");
        if (type != "text" && type != "refusal") {
            return invalid("Bedrock does not support content part type '" + type + "' here",
                           where + "[" + std::to_string(j) + "]");
        }
        std::string text = string_member(part, type == "text" ? "text" : "refusal");
        if (!text.empty()) {
            out.push_back({{"text", std::move(text)}});
        }
    }
    return ok(std::move(out));
}

/// `data:image/png;base64,…` → a Converse image block.
result<json, core::api_error> image_block(const json& part, const std::string& where) {
    const json* image = member(part, "image_url");
    std::string url;
    if (image != nullptr && image->is_string()) {
        url = image->get<std::string>();
    } else if (image != nullptr) {
        url = string_member(*image, "url");
    }
    constexpr std::string_view prefix = "data:image/";
    const auto marker = url.find(";base64,");
    if (url.rfind(prefix, 0) != 0 || marker == std::string::npos) {
        return invalid(
            "Bedrock takes images only inline, as data:image/...;base64 URLs; remote image URLs "
            "are not supported",
            where + ".image_url");
    }
    std::string format = url.substr(prefix.size(), marker - prefix.size());
    if (format == "jpg") {
        format = "jpeg";
    }
    if (format != "png" && format != "jpeg" && format != "gif" && format != "webp") {
        return invalid("Bedrock supports png, jpeg, gif and webp images, not '" + format + "'",
                       where + ".image_url");
    }
    json source = {{"bytes", url.substr(marker + 8)}};
    return ok(json{{"image", {{"format", format}, {"source", std::move(source)}}}});
}

result<json, core::api_error> user_blocks(const json& content, const std::string& where) {
    if (!content.is_array()) {
        return text_blocks(content, where);
    }
    json out = json::array();
    for (std::size_t j = 0; j < content.size(); ++j) {
        const json& part = content[j];
        const std::string type = string_member(part, "type");
        const std::string at = where + "[" + std::to_string(j) + "]";
        if (type == "text") {
            std::string text = string_member(part, "text");
            if (!text.empty()) {
                out.push_back({{"text", std::move(text)}});
            }
        } else if (type == "image_url") {
            auto block = image_block(part, at);
            if (!block) {
                return block.error();
            }
            out.push_back(std::move(*block));
        } else {
            return invalid("Bedrock does not support content part type '" + type + "'", at);
        }
    }
    return ok(std::move(out));
}

result<json, core::api_error> tool_use_blocks(const json& calls, const std::string& where) {
    json out = json::array();
    if (!calls.is_array()) {
        return invalid("tool_calls must be an array", where);
    }
    for (std::size_t k = 0; k < calls.size(); ++k) {
        const json& call = calls[k];
        const std::string at = where + "[" + std::to_string(k) + "]";
        const json* fn = member(call, "function");
        if (fn == nullptr || !fn->is_object()) {
            return invalid("a tool call needs a function", at);
        }
        const std::string args = string_member(*fn, "arguments");
        json input = args.empty() ? json::object() : json::parse(args, nullptr, false);
        if (input.is_discarded() || !input.is_object()) {
            return invalid("tool call arguments must be a JSON object", at + ".function.arguments");
        }
        out.push_back({{"toolUse",
                        {{"toolUseId", string_member(call, "id")},
                         {"name", string_member(*fn, "name")},
                         {"input", std::move(input)}}}});
    }
    return ok(std::move(out));
}

result<json, core::api_error> tool_config(const json& chat, bool history_uses_tools) {
    const json* tools = member(chat, "tools");
    if (tools == nullptr || !tools->is_array() || tools->empty()) {
        return ok(json());
    }
    json specs = json::array();
    for (std::size_t i = 0; i < tools->size(); ++i) {
        const json& tool = (*tools)[i];
        const json* fn = member(tool, "function");
        if (string_member(tool, "type") != "function" || fn == nullptr || !fn->is_object()) {
            return invalid("Bedrock supports function tools only",
                           "tools[" + std::to_string(i) + "]");
        }
        json spec = {{"name", string_member(*fn, "name")}};
        if (const json* d = member(*fn, "description"); d != nullptr && d->is_string()) {
            spec["description"] = *d;
        }
        const json* params = member(*fn, "parameters");
        json schema = params != nullptr && params->is_object()
                          ? *params
                          : json{{"type", "object"}, {"properties", json::object()}};
        spec["inputSchema"] = {{"json", std::move(schema)}};
        specs.push_back({{"toolSpec", std::move(spec)}});
    }
    json config = {{"tools", std::move(specs)}};
    const json* choice = member(chat, "tool_choice");
    if (choice == nullptr || *choice == "auto") {
        config["toolChoice"] = {{"auto", json::object()}};
    } else if (*choice == "required") {
        config["toolChoice"] = {{"any", json::object()}};
    } else if (*choice == "none") {
        if (!history_uses_tools) {
            return ok(json());
        }
    } else if (choice->is_object() && member(*choice, "function") != nullptr) {
        config["toolChoice"] = {
            {"tool", {{"name", string_member(choice->at("function"), "name")}}}};
    } else {
        return invalid("tool_choice must be none, auto, required or a function", "tool_choice");
    }
    return ok(std::move(config));
}

result<json, core::api_error> inference_config(const json& chat) {
    json out = json::object();
    const json* max = member(chat, "max_completion_tokens");
    const char* max_name = "max_completion_tokens";
    if (max == nullptr) {
        max = member(chat, "max_tokens");
        max_name = "max_tokens";
    }
    if (max != nullptr) {
        if (!max->is_number_integer() || max->get<std::int64_t>() < 1) {
            return invalid(std::string(max_name) + " must be a positive integer", max_name);
        }
        out["maxTokens"] = *max;
    }
    if (const json* t = member(chat, "temperature"); t != nullptr && t->is_number()) {
        out["temperature"] = *t;
    }
    if (const json* p = member(chat, "top_p"); p != nullptr && p->is_number()) {
        out["topP"] = *p;
    }
    if (const json* stop = member(chat, "stop"); stop != nullptr) {
        json seqs = stop->is_string() ? json::array({*stop}) : *stop;
        if (!seqs.is_array()) {
            return invalid("stop must be a string or an array of strings", "stop");
        }
        if (!seqs.empty()) {
            out["stopSequences"] = std::move(seqs);
        }
    }
    return ok(std::move(out));
}

/// `reasoning_effort` and `top_k` in the model family's own fields.
result<void, core::api_error> model_fields(const json& chat, std::string_view model, json& body) {
    json extra = json::object();
    if (const json* effort = member(chat, "reasoning_effort"); effort != nullptr) {
        const std::string e = effort->is_string() ? effort->get<std::string>() : std::string();
        if (e != "none" && e != "minimal" && e != "low" && e != "medium" && e != "high") {
            return invalid("reasoning_effort must be none, minimal, low, medium or high",
                           "reasoning_effort");
        }
        if (e != "none" && is_anthropic(model)) {
            const std::int64_t budget = e == "high"     ? budget_high
                                        : e == "medium" ? budget_medium
                                                        : budget_low;
            json& inference = body["inferenceConfig"];
            const std::int64_t max = int_member(inference, "maxTokens");
            if (max <= budget) {
                inference["maxTokens"] = budget + (max > 0 ? max : budget_medium);
            }
            inference.erase("temperature");
            inference.erase("topP");
            extra["thinking"] = {{"type", "enabled"}, {"budget_tokens", budget}};
        } else if (e != "none" && is_nova(model)) {
            const std::string level = e == "minimal" ? "low" : e;
            extra["reasoningConfig"] = {{"type", "enabled"}, {"maxReasoningEffort", level}};
        }
    }
    if (const json* k = member(chat, "top_k");
        k != nullptr && k->is_number_integer() && is_anthropic(model)) {
        extra["top_k"] = *k;
    }
    if (!extra.empty()) {
        body["additionalModelRequestFields"] = std::move(extra);
    }
    return {};
}

}  // namespace

result<json, core::api_error> to_request(const json& chat, std::string_view model) {
    const json* messages = member(chat, "messages");
    if (messages == nullptr || !messages->is_array()) {
        return invalid("messages must be an array", "messages");
    }
    if (const json* n = member(chat, "n"); n != nullptr && (!n->is_number_integer() || *n != 1)) {
        return invalid("Bedrock returns one choice: n must be 1", "n");
    }
    json system = json::array();
    json turns = json::array();
    bool uses_tools = false;
    auto append = [&turns](const char* role, json blocks) {
        if (blocks.empty()) {
            return;
        }
        if (!turns.empty() && turns.back()["role"] == role) {
            for (auto& b : blocks) {
                turns.back()["content"].push_back(std::move(b));
            }
            return;
        }
        turns.push_back({{"role", role}, {"content", std::move(blocks)}});
    };
    for (std::size_t i = 0; i < messages->size(); ++i) {
        const json& m = (*messages)[i];
        const std::string where = "messages[" + std::to_string(i) + "]";
        const std::string role = string_member(m, "role");
        const json* content_ptr = member(m, "content");
        const json content = content_ptr != nullptr ? *content_ptr : json();
        if (role == "system" || role == "developer") {
            auto blocks = text_blocks(content, where + ".content");
            if (!blocks) {
                return blocks.error();
            }
            for (auto& b : *blocks) {
                system.push_back(std::move(b));
            }
        } else if (role == "user") {
            auto blocks = user_blocks(content, where + ".content");
            if (!blocks) {
                return blocks.error();
            }
            append("user", std::move(*blocks));
        } else if (role == "assistant") {
            auto blocks = text_blocks(content, where + ".content");
            if (!blocks) {
                return blocks.error();
            }
            if (const json* calls = member(m, "tool_calls"); calls != nullptr) {
                auto uses = tool_use_blocks(*calls, where + ".tool_calls");
                if (!uses) {
                    return uses.error();
                }
                uses_tools = uses_tools || !uses->empty();
                for (auto& b : *uses) {
                    blocks->push_back(std::move(b));
                }
            }
            append("assistant", std::move(*blocks));
        } else if (role == "tool") {
            auto blocks = text_blocks(content, where + ".content");
            if (!blocks) {
                return blocks.error();
            }
            json result = {{"toolUseId", string_member(m, "tool_call_id")},
                           {"content", std::move(*blocks)}};
            uses_tools = true;
            append("user", json::array({{{"toolResult", std::move(result)}}}));
        } else {
            return invalid("unknown message role '" + role + "'", where + ".role");
        }
    }
    json body = {{"messages", std::move(turns)}};
    if (!system.empty()) {
        body["system"] = std::move(system);
    }
    auto inference = inference_config(chat);
    if (!inference) {
        return inference.error();
    }
    body["inferenceConfig"] = std::move(*inference);
    auto tools = tool_config(chat, uses_tools);
    if (!tools) {
        return tools.error();
    }
    if (!tools->is_null()) {
        body["toolConfig"] = std::move(*tools);
    }
    if (auto r = model_fields(chat, model, body); !r) {
        return r.error();
    }
    if (body["inferenceConfig"].empty()) {
        body.erase("inferenceConfig");
    }
    return ok(std::move(body));
}

std::string model_segment(std::string_view model) { return sigv4::uri_encode(model, false); }

std::string finish_reason(std::string_view stop_reason, bool had_tool_calls) {
    if (stop_reason == "max_tokens" || stop_reason == "model_context_window_exceeded") {
        return "length";
    }
    if (stop_reason == "tool_use") {
        return "tool_calls";
    }
    if (stop_reason == "content_filtered" || stop_reason == "guardrail_intervened") {
        return "content_filter";
    }
    return had_tool_calls ? "tool_calls" : "stop";
}

json usage(const json& u) {
    const std::int64_t input = int_member(u, "inputTokens");
    const std::int64_t output = int_member(u, "outputTokens");
    const std::int64_t cache_read = int_member(u, "cacheReadInputTokens");
    const std::int64_t cache_write = int_member(u, "cacheWriteInputTokens");
    const std::int64_t prompt = input + cache_read + cache_write;
    json details = {{"cached_tokens", cache_read}};
    if (cache_write > 0) {
        details["cache_write_tokens"] = cache_write;
    }
    return {{"prompt_tokens", prompt},
            {"completion_tokens", output},
            {"total_tokens", prompt + output},
            {"prompt_tokens_details", std::move(details)},
            {"completion_tokens_details", {{"reasoning_tokens", 0}}}};
}

json to_chat_completion(const json& response, const std::string& id, const std::string& model,
                        std::int64_t created) {
    std::string text;
    std::string reasoning;
    bool has_text = false;
    json calls = json::array();
    const json* output = member(response, "output");
    const json* message = output != nullptr ? member(*output, "message") : nullptr;
    const json* content = message != nullptr ? member(*message, "content") : nullptr;
    if (content != nullptr && content->is_array()) {
        for (const json& block : *content) {
            if (const json* t = member(block, "text"); t != nullptr && t->is_string()) {
                text += t->get<std::string>();
                has_text = true;
            } else if (const json* r = member(block, "reasoningContent"); r != nullptr) {
                if (const json* rt = member(*r, "reasoningText"); rt != nullptr) {
                    reasoning += string_member(*rt, "text");
                }
            } else if (const json* tu = member(block, "toolUse"); tu != nullptr) {
                const json* input = member(*tu, "input");
                calls.push_back({{"id", string_member(*tu, "toolUseId")},
                                 {"type", "function"},
                                 {"function",
                                  {{"name", string_member(*tu, "name")},
                                   {"arguments", input != nullptr ? input->dump() : "{}"}}}});
            }
        }
    }
    json msg = {{"role", "assistant"},
                {"content", has_text || calls.empty() ? json(text) : json()},
                {"refusal", nullptr}};
    if (!reasoning.empty()) {
        msg["reasoning"] = std::move(reasoning);
    }
    const bool had_calls = !calls.empty();
    if (had_calls) {
        msg["tool_calls"] = std::move(calls);
    }
    const json* u = member(response, "usage");
    return {{"id", id},
            {"object", "chat.completion"},
            {"created", created},
            {"model", model},
            {"choices",
             json::array({{{"index", 0},
                           {"message", std::move(msg)},
                           {"logprobs", nullptr},
                           {"finish_reason",
                            finish_reason(string_member(response, "stopReason"), had_calls)}}})},
            {"usage", usage(u != nullptr ? *u : json::object())}};
}

core::api_error to_api_error(int status, std::string_view body,
                             const core::header_fields& headers) {
    const json parsed = json::parse(body, nullptr, false);
    std::string message = string_member(parsed, "message");
    if (message.empty()) {
        message = string_member(parsed, "Message");
    }
    std::string type;
    if (headers.contains("x-amzn-errortype")) {
        type = std::string(headers["x-amzn-errortype"]);
    } else {
        type = string_member(parsed, "__type");
        if (auto hash = type.rfind('#'); hash != std::string::npos) {
            type = type.substr(hash + 1);
        }
    }
    type = type.substr(0, type.find(':'));
    if (message.empty()) {
        return from_http_error(status, body, headers);
    }
    json error = {{"message", std::move(message)}};
    if (!type.empty()) {
        error["code"] = std::move(type);
    }
    return from_http_error(status, json{{"error", std::move(error)}}.dump(), headers);
}

core::api_error stream_exception(std::string_view exception_type, std::string_view payload) {
    const json parsed = json::parse(payload, nullptr, false);
    std::string message = string_member(parsed, "message");
    if (message.empty()) {
        message = string_member(parsed, "Message");
    }
    static const std::map<std::string_view, int> statuses = {
        {"throttlingException", 429},     {"validationException", 400},
        {"modelTimeoutException", 408},   {"serviceUnavailableException", 503},
        {"internalServerException", 500}, {"modelStreamErrorException", 424},
        {"accessDeniedException", 403},   {"resourceNotFoundException", 404},
    };
    auto it = statuses.find(exception_type);
    const int status = it == statuses.end() ? 502 : it->second;
    if (message.empty()) {
        message = "Upstream provider returned error: " + std::string(exception_type);
    }
    json error = {{"message", std::move(message)}, {"code", std::string(exception_type)}};
    return from_http_error(status, json{{"error", std::move(error)}}.dump(), core::header_fields{});
}

}  // namespace hadrian::providers::converse

namespace hadrian::providers::converse {

stream_translator::stream_translator(std::string id, std::string model, std::int64_t created)
    : id_(std::move(id)), model_(std::move(model)), created_(created) {}

json stream_translator::chunk(json delta, json finish) const {
    return {{"id", id_},
            {"object", "chat.completion.chunk"},
            {"created", created_},
            {"model", model_},
            {"choices", json::array({{{"index", 0},
                                      {"delta", std::move(delta)},
                                      {"logprobs", nullptr},
                                      {"finish_reason", std::move(finish)}}})}};
}

void stream_translator::ensure_role(std::vector<json>& chunks) {
    if (!role_sent_) {
        role_sent_ = true;
        chunks.push_back(chunk({{"role", "assistant"}, {"content", ""}}, nullptr));
    }
}

std::size_t stream_translator::tool_index(std::int64_t block, bool* fresh) {
    auto [it, inserted] = tools_.try_emplace(block, tools_.size());
    if (fresh != nullptr) {
        *fresh = inserted;
    }
    return it->second;
}

result<void, core::api_error> stream_translator::on_message(const aws_eventstream::message& m,
                                                            std::vector<json>& chunks) {
    const std::string_view message_type = m.string_header(":message-type").value_or("event");
    if (message_type == "exception") {
        return stream_exception(m.string_header(":exception-type").value_or("exception"),
                                m.payload);
    }
    if (message_type == "error") {
        const std::string code(m.string_header(":error-code").value_or("error"));
        const std::string text(m.string_header(":error-message").value_or(code));
        return stream_exception(code, json{{"message", text}}.dump());
    }
    if (message_type != "event") {
        return {};  // nothing else is defined; ignored like unknown event types
    }
    const std::string_view type = m.string_header(":event-type").value_or("");
    const json payload = json::parse(m.payload, nullptr, false);
    if (payload.is_discarded() || !payload.is_object()) {
        return core::api_error::make(core::errc::provider_error,
                                     "Upstream provider returned error: stream event '" +
                                         std::string(type) + "' is not a JSON object");
    }
    const std::int64_t block = int_member(payload, "contentBlockIndex");
    if (type == "messageStart") {
        ensure_role(chunks);
    } else if (type == "contentBlockStart") {
        const json* start = member(payload, "start");
        const json* tool = start != nullptr ? member(*start, "toolUse") : nullptr;
        if (tool != nullptr) {
            ensure_role(chunks);
            json call = {{"index", tool_index(block, nullptr)},
                         {"id", string_member(*tool, "toolUseId")},
                         {"type", "function"},
                         {"function", {{"name", string_member(*tool, "name")}, {"arguments", ""}}}};
            chunks.push_back(chunk({{"tool_calls", json::array({std::move(call)})}}, nullptr));
        }
    } else if (type == "contentBlockDelta") {
        const json* delta = member(payload, "delta");
        if (delta == nullptr) {
            return {};
        }
        ensure_role(chunks);
        if (const json* text = member(*delta, "text"); text != nullptr && text->is_string()) {
            if (!text->get_ref<const std::string&>().empty()) {
                chunks.push_back(chunk({{"content", *text}}, nullptr));
            }
        } else if (const json* tool = member(*delta, "toolUse"); tool != nullptr) {
            const std::string args = string_member(*tool, "input");
            bool fresh = false;
            const std::size_t index = tool_index(block, &fresh);
            json call = {{"index", index}, {"function", {{"arguments", args}}}};
            if (fresh) {
                // No contentBlockStart named this call: give it what a first delta needs.
                call["id"] = "call_" + std::to_string(block);
                call["type"] = "function";
                call["function"]["name"] = "";
            }
            if (fresh || !args.empty()) {
                chunks.push_back(chunk({{"tool_calls", json::array({std::move(call)})}}, nullptr));
            }
        } else if (const json* r = member(*delta, "reasoningContent"); r != nullptr) {
            const std::string text = string_member(*r, "text");
            if (!text.empty()) {
                chunks.push_back(chunk({{"reasoning", text}}, nullptr));
            }
        }
    } else if (type == "messageStop") {
        ensure_role(chunks);
        stopped_ = true;
        chunks.push_back(chunk(
            json::object(), finish_reason(string_member(payload, "stopReason"), !tools_.empty())));
    } else if (type == "metadata") {
        const json* u = member(payload, "usage");
        chunks.push_back({{"id", id_},
                          {"object", "chat.completion.chunk"},
                          {"created", created_},
                          {"model", model_},
                          {"choices", json::array()},
                          {"usage", usage(u != nullptr ? *u : json::object())}});
    }
    return {};
}

}  // namespace hadrian::providers::converse
