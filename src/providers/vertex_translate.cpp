#include "vertex_translate.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

#include "translate_common.hpp"
#include "upstream_errors.hpp"

namespace hadrian::providers::gemini {

namespace {

using json = nlohmann::json;

/// `j[key]` when `j` is an object holding an object there, else an empty object.
const json& object_at(const json& j, const char* key) {
    static const json empty = json::object();
    if (!j.is_object()) {
        return empty;
    }
    auto it = j.find(key);
    return it != j.end() && it->is_object() ? *it : empty;
}

/// `j[key]` when `j` is an object holding an array there, else an empty array.
const json& array_at(const json& j, const char* key) {
    static const json empty = json::array();
    if (!j.is_object()) {
        return empty;
    }
    auto it = j.find(key);
    return it != j.end() && it->is_array() ? *it : empty;
}

/// `j[key]`, or null when absent (or `j` is no object).
const json& field(const json& j, const char* key) {
    static const json null;
    if (!j.is_object()) {
        return null;
    }
    auto it = j.find(key);
    return it != j.end() ? *it : null;
}

std::string string_at(const json& j, const char* key) {
    if (!j.is_object()) {
        return {};
    }
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t int_at(const json& j, const char* key) {
    if (!j.is_object()) {
        return 0;
    }
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

/// MIME type of a file URL, from its extension; Gemini needs one for `fileData`.
std::string mime_from_url(std::string_view url) {
    const auto end = url.find_first_of("?#");
    const std::string path = lower(url.substr(0, end));
    static const std::array<std::pair<std::string_view, std::string_view>, 12> types{{
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".heic", "image/heic"},
        {".heif", "image/heif"},
        {".pdf", "application/pdf"},
        {".wav", "audio/wav"},
        {".mp3", "audio/mp3"},
        {".mp4", "video/mp4"},
        {".txt", "text/plain"},
    }};
    for (const auto& [ext, mime] : types) {
        if (path.size() > ext.size() && path.ends_with(ext)) {
            return std::string(mime);
        }
    }
    return "image/jpeg";
}

/// `data:<mime>;base64,<data>` → inlineData; a remote URL → fileData.
result<json, core::api_error> media_part(std::string_view url, const std::string& param) {
    if (url.starts_with("data:")) {
        const auto comma = url.find(',');
        const auto meta = url.substr(5, comma == std::string_view::npos ? 0 : comma - 5);
        if (comma == std::string_view::npos || !meta.ends_with(";base64")) {
            return invalid("Only base64 data URLs are supported", param);
        }
        std::string mime(meta.substr(0, meta.size() - 7));
        if (mime.empty()) {
            mime = "application/octet-stream";
        }
        return ok(json{{"inlineData", {{"mimeType", mime}, {"data", url.substr(comma + 1)}}}});
    }
    if (url.empty()) {
        return invalid("The URL is empty", param);
    }
    return ok(json{{"fileData", {{"mimeType", mime_from_url(url)}, {"fileUri", url}}}});
}

/// Gemini parts of a message's `content` (a string or an array of content parts).
result<json, core::api_error> content_parts(const json& content, const std::string& param) {
    json parts = json::array();
    if (content.is_string()) {
        if (!content.get_ref<const std::string&>().empty()) {
            parts.push_back({{"text", content}});
        }
        return ok(parts);
    }
    if (content.is_null()) {
        return ok(parts);
    }
    if (!content.is_array()) {
        return invalid("content must be a string or an array of content parts", param);
    }
    for (std::size_t i = 0; i < content.size(); ++i) {
        const json& part = content[i];
        const std::string where = param + "[" + std::to_string(i) + "]";
        const std::string type = string_at(part, "type");
        if (type == "text" || type == "input_text" || type == "refusal") {
            const std::string text = string_at(part, type == "refusal" ? "refusal" : "text");
            if (!text.empty()) {
                parts.push_back({{"text", text}});
            }
        } else if (type == "image_url") {
            const json* image = part.contains("image_url") ? &part["image_url"] : nullptr;
            std::string url;
            if (image != nullptr && image->is_string()) {
                url = image->get<std::string>();
            } else if (image != nullptr) {
                url = string_at(*image, "url");
            }
            auto media = media_part(url, where + ".image_url.url");
            if (!media) {
                return media.error();
            }
            parts.push_back(std::move(*media));
        } else if (type == "input_audio") {
            const json& audio = object_at(part, "input_audio");
            const std::string format = lower(string_at(audio, "format"));
            parts.push_back({{"inlineData",
                              {{"mimeType", "audio/" + (format.empty() ? "wav" : format)},
                               {"data", string_at(audio, "data")}}}});
        } else if (type == "file") {
            const json& file = object_at(part, "file");
            auto media = media_part(string_at(file, "file_data"), where + ".file.file_data");
            if (!media) {
                return media.error();
            }
            parts.push_back(std::move(*media));
        } else {
            return invalid("Content part type '" + type + "' is not supported by this provider",
                           where + ".type");
        }
    }
    return ok(parts);
}

/// The plain text of a content value (string or text parts), for tool results.
std::string text_of(const json& content) {
    if (content.is_string()) {
        return content.get<std::string>();
    }
    std::string out;
    if (content.is_array()) {
        for (const auto& part : content) {
            out += string_at(part, "text");
        }
    }
    return out;
}

/// A tool call's `arguments` (a JSON object as a string) as Gemini `args`.
result<json, core::api_error> call_args(const json& function, const std::string& param) {
    const auto it = function.find("arguments");
    if (it == function.end() || it->is_null()) {
        return ok(json::object());
    }
    if (it->is_object()) {
        return ok(*it);
    }
    const std::string text = it->is_string() ? it->get<std::string>() : std::string();
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
        return ok(json::object());
    }
    auto parsed = json::parse(text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
        return invalid("Tool call arguments must be a JSON object", param);
    }
    return ok(parsed);
}

result<json, core::api_error> assistant_parts(const json& msg, const std::string& param,
                                              std::map<std::string, std::string>& call_names) {
    auto parts = content_parts(field(msg, "content"), param + ".content");
    if (!parts) {
        return parts.error();
    }
    const auto calls = msg.find("tool_calls");
    if (calls == msg.end() || !calls->is_array()) {
        return parts;
    }
    for (std::size_t i = 0; i < calls->size(); ++i) {
        const json& call = (*calls)[i];
        const std::string where = param + ".tool_calls[" + std::to_string(i) + "]";
        const json& function = object_at(call, "function");
        const std::string name = string_at(function, "name");
        if (name.empty()) {
            return invalid("Tool call has no function name", where + ".function.name");
        }
        auto args = call_args(function, where + ".function.arguments");
        if (!args) {
            return args.error();
        }
        call_names[string_at(call, "id")] = name;
        parts->push_back({{"functionCall", {{"name", name}, {"args", std::move(*args)}}}});
    }
    return parts;
}

result<json, core::api_error> tool_response_part(const json& msg, const std::string& param,
                                                 const std::map<std::string, std::string>& names) {
    std::string name;
    if (auto it = names.find(string_at(msg, "tool_call_id")); it != names.end()) {
        name = it->second;
    } else {
        name = string_at(msg, "name");
    }
    if (name.empty()) {
        return invalid("No assistant tool call matches this tool_call_id", param + ".tool_call_id");
    }
    const std::string text = text_of(field(msg, "content"));
    json content = json::parse(text, nullptr, false);
    if (content.is_discarded()) {
        content = {{"result", text}};
    }
    return ok(json{{"functionResponse", {{"name", name}, {"response", {{"content", content}}}}}});
}

result<json, core::api_error> translate_messages(const json& messages, json& out) {
    if (!messages.is_array()) {
        return invalid("messages must be an array", "messages");
    }
    json system = json::array();
    json contents = json::array();
    std::map<std::string, std::string> call_names;
    bool last_was_tool = false;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const json& msg = messages[i];
        const std::string param = "messages[" + std::to_string(i) + "]";
        const std::string role = string_at(msg, "role");
        if (role == "system" || role == "developer") {
            auto parts = content_parts(field(msg, "content"), param + ".content");
            if (!parts) {
                return parts.error();
            }
            system.insert(system.end(), parts->begin(), parts->end());
        } else if (role == "user" || role == "assistant") {
            auto parts = role == "user" ? content_parts(field(msg, "content"), param + ".content")
                                        : assistant_parts(msg, param, call_names);
            if (!parts) {
                return parts.error();
            }
            if (!parts->empty()) {
                const char* gemini_role = role == "user" ? "user" : "model";
                contents.push_back({{"role", gemini_role}, {"parts", std::move(*parts)}});
            }
        } else if (role == "tool" || role == "function") {
            auto part = tool_response_part(msg, param, call_names);
            if (!part) {
                return part.error();
            }
            // The results of one turn's parallel calls go back together in one content.
            if (last_was_tool) {
                contents.back()["parts"].push_back(std::move(*part));
            } else {
                contents.push_back({{"role", "user"}, {"parts", json::array({*part})}});
            }
        } else {
            return invalid("Unknown message role '" + role + "'", param + ".role");
        }
        last_was_tool = role == "tool" || role == "function";
    }
    if (!system.empty()) {
        out["systemInstruction"] = {{"parts", std::move(system)}};
    }
    out["contents"] = std::move(contents);
    return ok(json());
}

result<json, core::api_error> translate_tools(const json& tools) {
    json declarations = json::array();
    for (std::size_t i = 0; i < tools.size(); ++i) {
        const json& tool = tools[i];
        const std::string param = "tools[" + std::to_string(i) + "]";
        if (string_at(tool, "type") != "function" || !tool.contains("function")) {
            return invalid("Only function tools are supported by this provider", param + ".type");
        }
        const json& fn = tool["function"];
        json decl = {{"name", string_at(fn, "name")}};
        if (auto d = string_at(fn, "description"); !d.empty()) {
            decl["description"] = d;
        }
        if (auto p = fn.find("parameters"); p != fn.end() && p->is_object()) {
            const auto props = p->find("properties");
            const bool empty_object = props == p->end() || (props->is_object() && props->empty());
            // Gemini rejects an OBJECT schema without properties; no parameters means the same.
            if (!empty_object) {
                decl["parameters"] = sanitize_schema(*p);
            }
        }
        declarations.push_back(std::move(decl));
    }
    return ok(json::array({{{"functionDeclarations", std::move(declarations)}}}));
}

result<json, core::api_error> translate_tool_choice(const json& choice) {
    if (choice.is_string()) {
        const std::string& c = choice.get_ref<const std::string&>();
        const char* mode = c == "none" ? "NONE" : c == "required" ? "ANY" : "AUTO";
        if (c != "none" && c != "required" && c != "auto") {
            return invalid("Unknown tool_choice '" + c + "'", "tool_choice");
        }
        return ok(json{{"functionCallingConfig", {{"mode", mode}}}});
    }
    if (choice.is_object() && string_at(choice, "type") == "function") {
        const std::string name = string_at(object_at(choice, "function"), "name");
        return ok(json{{"functionCallingConfig",
                        {{"mode", "ANY"}, {"allowedFunctionNames", json::array({name})}}}});
    }
    if (choice.is_object() && string_at(choice, "type") == "allowed_tools") {
        const json& allowed = object_at(choice, "allowed_tools");
        json names = json::array();
        for (const auto& t : array_at(allowed, "tools")) {
            names.push_back(string_at(object_at(t, "function"), "name"));
        }
        const char* mode = string_at(allowed, "mode") == "required" ? "ANY" : "AUTO";
        return ok(
            json{{"functionCallingConfig", {{"mode", mode}, {"allowedFunctionNames", names}}}});
    }
    return invalid("Unsupported tool_choice", "tool_choice");
}

result<json, core::api_error> thinking_config(const json& effort) {
    static const std::array<std::pair<std::string_view, int>, 5> budgets{{
        {"none", 0},
        {"minimal", 512},
        {"low", 1024},
        {"medium", 8192},
        {"high", 24576},
    }};
    const std::string e = effort.is_string() ? effort.get<std::string>() : std::string();
    for (const auto& [name, budget] : budgets) {
        if (e == name) {
            return ok(json{{"thinkingBudget", budget}, {"includeThoughts", budget > 0}});
        }
    }
    return invalid("Unknown reasoning_effort '" + e + "'", "reasoning_effort");
}

result<json, core::api_error> generation_config(const json& chat) {
    json gc = json::object();
    static const std::array<std::pair<const char*, const char*>, 7> numbers{{
        {"temperature", "temperature"},
        {"top_p", "topP"},
        {"top_k", "topK"},
        {"n", "candidateCount"},
        {"presence_penalty", "presencePenalty"},
        {"frequency_penalty", "frequencyPenalty"},
        {"seed", "seed"},
    }};
    for (const auto& [from, to] : numbers) {
        if (auto it = chat.find(from); it != chat.end() && it->is_number()) {
            gc[to] = *it;
        }
    }
    for (const char* key : {"max_completion_tokens", "max_tokens"}) {
        if (auto it = chat.find(key); it != chat.end() && it->is_number()) {
            gc["maxOutputTokens"] = *it;
            break;
        }
    }
    if (auto stop = chat.find("stop"); stop != chat.end()) {
        if (stop->is_string()) {
            gc["stopSequences"] = json::array({*stop});
        } else if (stop->is_array() && !stop->empty()) {
            gc["stopSequences"] = *stop;
        }
    }
    if (auto rf = chat.find("response_format"); rf != chat.end() && rf->is_object()) {
        const std::string type = string_at(*rf, "type");
        if (type == "json_object" || type == "json_schema") {
            gc["responseMimeType"] = "application/json";
        }
        if (type == "json_schema") {
            const json& spec = object_at(*rf, "json_schema");
            if (auto s = spec.find("schema"); s != spec.end() && s->is_object()) {
                gc["responseSchema"] = sanitize_schema(*s);
            }
        }
    }
    if (auto effort = chat.find("reasoning_effort"); effort != chat.end() && !effort->is_null()) {
        auto thinking = thinking_config(*effort);
        if (!thinking) {
            return thinking.error();
        }
        gc["thinkingConfig"] = std::move(*thinking);
    }
    return ok(gc);
}

}  // namespace

json sanitize_schema(const json& schema) {
    if (!schema.is_object()) {
        return schema;
    }
    static const std::array<std::string_view, 6> dropped{
        "$schema", "additionalProperties", "strict", "$id", "$comment", "unevaluatedProperties"};
    json out = json::object();
    for (const auto& [key, value] : schema.items()) {
        if (std::find(dropped.begin(), dropped.end(), key) != dropped.end()) {
            continue;
        }
        if ((key == "properties" || key == "$defs" || key == "definitions") && value.is_object()) {
            json props = json::object();
            for (const auto& [name, sub] : value.items()) {
                props[name] = sanitize_schema(sub);
            }
            out[key] = std::move(props);
        } else if ((key == "items" || key == "not") && value.is_object()) {
            out[key] = sanitize_schema(value);
        } else if ((key == "anyOf" || key == "oneOf" || key == "allOf" || key == "prefixItems" ||
                    key == "items") &&
                   value.is_array()) {
            json list = json::array();
            for (const auto& sub : value) {
                list.push_back(sanitize_schema(sub));
            }
            out[key] = std::move(list);
        } else {
            out[key] = value;
        }
    }
    return out;
}

result<nlohmann::json, core::api_error> to_request(const nlohmann::json& chat) {
    if (!chat.is_object()) {
        return invalid("The request body must be a JSON object", "body");
    }
    json out = json::object();
    auto messages = translate_messages(field(chat, "messages"), out);
    if (!messages) {
        return messages.error();
    }
    if (auto tools = chat.find("tools");
        tools != chat.end() && tools->is_array() && !tools->empty()) {
        auto t = translate_tools(*tools);
        if (!t) {
            return t.error();
        }
        out["tools"] = std::move(*t);
    }
    if (auto choice = chat.find("tool_choice"); choice != chat.end() && !choice->is_null()) {
        auto tc = translate_tool_choice(*choice);
        if (!tc) {
            return tc.error();
        }
        out["toolConfig"] = std::move(*tc);
    }
    auto gc = generation_config(chat);
    if (!gc) {
        return gc.error();
    }
    if (!gc->empty()) {
        out["generationConfig"] = std::move(*gc);
    }
    return ok(std::move(out));
}

std::string model_segment(std::string_view model) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(model.size());
    for (const char ch : model) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0x0F];
        }
    }
    return out;
}

std::string finish_reason(std::string_view reason, bool had_tool_calls) {
    if (reason == "MAX_TOKENS") {
        return "length";
    }
    if (reason == "SAFETY" || reason == "RECITATION" || reason == "BLOCKLIST" ||
        reason == "PROHIBITED_CONTENT" || reason == "SPII" || reason == "IMAGE_SAFETY") {
        return "content_filter";
    }
    if (had_tool_calls) {
        return "tool_calls";
    }
    return "stop";
}

nlohmann::json usage(const nlohmann::json& meta) {
    const std::int64_t prompt =
        int_at(meta, "promptTokenCount") + int_at(meta, "toolUsePromptTokenCount");
    const std::int64_t thoughts = int_at(meta, "thoughtsTokenCount");
    const std::int64_t completion = int_at(meta, "candidatesTokenCount") + thoughts;
    std::int64_t total = int_at(meta, "totalTokenCount");
    if (total == 0) {
        total = prompt + completion;
    }
    return {{"prompt_tokens", prompt},
            {"completion_tokens", completion},
            {"total_tokens", total},
            {"prompt_tokens_details", {{"cached_tokens", int_at(meta, "cachedContentTokenCount")}}},
            {"completion_tokens_details", {{"reasoning_tokens", thoughts}}}};
}

std::string tool_call_id(std::string_view completion_id, std::size_t n) {
    if (completion_id.starts_with("chatcmpl-")) {
        completion_id.remove_prefix(9);
    }
    return "call_" + std::string(completion_id) + "_" + std::to_string(n);
}

nlohmann::json to_chat_completion(const nlohmann::json& response, const std::string& id,
                                  const std::string& model, std::int64_t created) {
    json choices = json::array();
    std::size_t calls_so_far = 0;
    const json& candidates = array_at(response, "candidates");
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const json& cand = candidates[i];
        std::string text;
        std::string reasoning;
        json tool_calls = json::array();
        const json& content = object_at(cand, "content");
        for (const auto& part : array_at(content, "parts")) {
            if (auto call = part.find("functionCall"); call != part.end() && call->is_object()) {
                std::string call_id = string_at(*call, "id");
                if (call_id.empty()) {
                    call_id = tool_call_id(id, calls_so_far);
                }
                ++calls_so_far;
                tool_calls.push_back(
                    {{"id", call_id},
                     {"type", "function"},
                     {"function",
                      {{"name", string_at(*call, "name")},
                       {"arguments", call->value("args", json::object()).dump()}}}});
            } else if (field(part, "thought") == true) {
                reasoning += string_at(part, "text");
            } else {
                text += string_at(part, "text");
            }
        }
        json message = {{"role", "assistant"}, {"content", nullptr}, {"refusal", nullptr}};
        if (!text.empty() || tool_calls.empty()) {
            message["content"] = text;
        }
        if (!reasoning.empty()) {
            message["reasoning"] = reasoning;
        }
        if (!tool_calls.empty()) {
            message["tool_calls"] = std::move(tool_calls);
        }
        const bool had_calls = message.contains("tool_calls");
        std::int64_t index = int_at(cand, "index");
        if (!cand.contains("index")) {
            index = static_cast<std::int64_t>(i);
        }
        choices.push_back(
            {{"index", index},
             {"message", std::move(message)},
             {"logprobs", nullptr},
             {"finish_reason", finish_reason(string_at(cand, "finishReason"), had_calls)}});
    }
    if (choices.empty()) {
        // The prompt itself was blocked (promptFeedback.blockReason): nothing was generated.
        const bool blocked =
            !string_at(object_at(response, "promptFeedback"), "blockReason").empty();
        choices.push_back(
            {{"index", 0},
             {"message", {{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}}},
             {"logprobs", nullptr},
             {"finish_reason", blocked ? "content_filter" : "stop"}});
    }
    return {{"id", id},
            {"object", "chat.completion"},
            {"created", created},
            {"model", model},
            {"choices", std::move(choices)},
            {"usage", usage(object_at(response, "usageMetadata"))}};
}

core::api_error to_api_error(int status, std::string_view body,
                             const core::header_fields& headers) {
    core::api_error err = from_http_error(status, body, headers);
    auto parsed = json::parse(body, nullptr, false);
    if (parsed.is_array() && parsed.size() == 1) {
        parsed = parsed[0];
    }
    if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object()) {
        const json& e = parsed["error"];
        if (auto s = string_at(e, "status"); !s.empty()) {
            err.code = s;
        } else if (auto c = e.find("code"); c != e.end() && c->is_number()) {
            err.code = from_http_error(status, {}, headers).code;
        }
        if (auto m = string_at(e, "message"); !m.empty()) {
            err.message = m;
        }
    }
    return err;
}

}  // namespace hadrian::providers::gemini
