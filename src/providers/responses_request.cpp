// Responses request → Chat Completions request.
#include <string>

#include "responses_bridge.hpp"

namespace hadrian::providers {

namespace {

using json = nlohmann::json;
using core::api_error;
using core::errc;

/// A successful result. (`json` converts implicitly to anything, `api_error` included, so
/// `result<json, api_error>` cannot be built from a json value without the tag.)
result<json, api_error> ok(json value) {
    return result<json, api_error>(boost::system::in_place_value, std::move(value));
}

api_error invalid(std::string message, std::string param) {
    return api_error::make(errc::validation_error, std::move(message), std::move(param));
}

std::string string_field(const json& obj, const char* key) {
    auto it = obj.find(key);
    if (it != obj.end() && it->is_string()) {
        return it->get<std::string>();
    }
    return {};
}

/// An `input_image` part → a chat `image_url` part.
result<json, api_error> image_part(const json& part) {
    auto url = part.find("image_url");
    if (url == part.end() || !url->is_string()) {
        if (part.contains("file_id")) {
            return api_error::make(errc::not_supported,
                                   "Image inputs by file_id are not supported by this provider",
                                   std::string("input"));
        }
        return invalid("input_image needs an image_url", "input");
    }
    json image = {{"url", *url}};
    if (auto detail = part.find("detail"); detail != part.end() && detail->is_string()) {
        image["detail"] = *detail;
    }
    return ok(json{{"type", "image_url"}, {"image_url", std::move(image)}});
}

/// Content parts of a message or tool output → chat content parts.
result<json, api_error> content_parts(const json& parts) {
    json out = json::array();
    for (const auto& part : parts) {
        if (!part.is_object()) {
            return invalid("Content parts must be objects", "input");
        }
        const std::string type = string_field(part, "type");
        if (type == "input_text" || type == "output_text" || type == "text") {
            auto text = part.find("text");
            if (text == part.end() || !text->is_string()) {
                return invalid("Text content parts need a text", "input");
            }
            out.push_back({{"type", "text"}, {"text", *text}});
        } else if (type == "refusal") {
            out.push_back({{"type", "text"}, {"text", string_field(part, "refusal")}});
        } else if (type == "input_image") {
            auto image = image_part(part);
            if (!image) {
                return image.error();
            }
            out.push_back(std::move(*image));
        } else if (type == "input_file") {
            return api_error::make(errc::not_supported,
                                   "File inputs are not supported by this provider",
                                   std::string("input"));
        } else {
            return invalid("Unsupported content part type '" + type + "'", "input");
        }
    }
    return ok(std::move(out));
}

/// Text of chat text parts, joined (assistant turns are sent as one string).
result<std::string, api_error> joined_text(const json& parts) {
    std::string text;
    for (const auto& part : parts) {
        if (string_field(part, "type") != "text") {
            return invalid("Assistant messages can only hold text", "input");
        }
        text += part["text"].get<std::string>();
    }
    return text;
}

result<json, api_error> message_item(const json& item) {
    const std::string role = string_field(item, "role");
    if (role != "user" && role != "system" && role != "developer" && role != "assistant") {
        return invalid("Unsupported message role '" + role + "'", "input");
    }
    auto content = item.find("content");
    if (content == item.end() || (!content->is_string() && !content->is_array())) {
        return invalid("Messages need a content string or array", "input");
    }
    json message = {{"role", role}};
    if (content->is_string()) {
        message["content"] = *content;
        return ok(std::move(message));
    }
    auto parts = content_parts(*content);
    if (!parts) {
        return parts.error();
    }
    if (role == "assistant") {
        auto text = joined_text(*parts);
        if (!text) {
            return text.error();
        }
        message["content"] = std::move(*text);
    } else {
        message["content"] = std::move(*parts);
    }
    return ok(std::move(message));
}

json tool_call_of(const json& item) {
    auto args = item.find("arguments");
    std::string arguments = "{}";
    if (args != item.end() && args->is_string()) {
        arguments = args->get<std::string>();
    }
    return {{"id", item["call_id"]},
            {"type", "function"},
            {"function", {{"name", item["name"]}, {"arguments", std::move(arguments)}}}};
}

/// A `function_call` item joins the assistant message just before it (a run of calls, or the
/// assistant text of the same turn), or starts a new one.
result<void, api_error> add_function_call(json& messages, const json& item) {
    auto call_id = item.find("call_id");
    auto name = item.find("name");
    if (call_id == item.end() || !call_id->is_string() || name == item.end() ||
        !name->is_string()) {
        return invalid("function_call items need call_id and name", "input");
    }
    if (messages.empty() || messages.back()["role"] != "assistant") {
        messages.push_back({{"role", "assistant"}, {"content", nullptr}});
    }
    json& assistant = messages.back();
    if (!assistant.contains("tool_calls")) {
        assistant["tool_calls"] = json::array();
    }
    assistant["tool_calls"].push_back(tool_call_of(item));
    return {};
}

result<json, api_error> function_output_item(const json& item) {
    auto call_id = item.find("call_id");
    auto output = item.find("output");
    if (call_id == item.end() || !call_id->is_string() || output == item.end()) {
        return invalid("function_call_output items need call_id and output", "input");
    }
    json message = {{"role", "tool"}, {"tool_call_id", *call_id}};
    if (output->is_string()) {
        message["content"] = *output;
    } else if (output->is_array()) {
        auto parts = content_parts(*output);
        if (!parts) {
            return parts.error();
        }
        auto text = joined_text(*parts);
        if (!text) {
            return invalid("Tool outputs can only hold text", "input");
        }
        message["content"] = std::move(*text);
    } else {
        message["content"] = output->dump();
    }
    return ok(std::move(message));
}

result<void, api_error> add_items(json& messages, const json& items) {
    for (const auto& item : items) {
        if (!item.is_object()) {
            return invalid("Input items must be objects", "input");
        }
        const std::string type = string_field(item, "type");
        if (type == "message" || (type.empty() && item.contains("role"))) {
            auto message = message_item(item);
            if (!message) {
                return message.error();
            }
            messages.push_back(std::move(*message));
        } else if (type == "function_call") {
            auto added = add_function_call(messages, item);
            if (!added) {
                return added.error();
            }
        } else if (type == "function_call_output") {
            auto message = function_output_item(item);
            if (!message) {
                return message.error();
            }
            messages.push_back(std::move(*message));
        } else if (type == "reasoning") {
            continue;  // the upstream cannot take reasoning back; it is dropped
        } else {
            return invalid("Unsupported input item type '" + type + "'", "input");
        }
    }
    return {};
}

result<json, api_error> chat_tools(const json& tools) {
    if (!tools.is_array()) {
        return invalid("tools must be an array", "tools");
    }
    json out = json::array();
    for (const auto& tool : tools) {
        const std::string type = tool.is_object() ? string_field(tool, "type") : std::string();
        if (type != "function") {
            return invalid("Built-in tool '" + type + "' is not supported by this provider",
                           "tools");
        }
        auto name = tool.find("name");
        if (name == tool.end() || !name->is_string()) {
            return invalid("Function tools need a name", "tools");
        }
        json function = {{"name", *name}};
        for (const char* key : {"description", "parameters", "strict"}) {
            if (auto it = tool.find(key); it != tool.end() && !it->is_null()) {
                function[key] = *it;
            }
        }
        out.push_back({{"type", "function"}, {"function", std::move(function)}});
    }
    return ok(std::move(out));
}

result<json, api_error> chat_tool_choice(const json& choice) {
    if (choice.is_string()) {
        const auto& s = choice.get_ref<const std::string&>();
        if (s == "auto" || s == "none" || s == "required") {
            return ok(choice);
        }
        return invalid("tool_choice must be auto, none, required or a function", "tool_choice");
    }
    if (choice.is_object() && string_field(choice, "type") == "function") {
        auto name = choice.find("name");
        if (name != choice.end() && name->is_string()) {
            return ok(json{{"type", "function"}, {"function", {{"name", *name}}}});
        }
    }
    return invalid("tool_choice must be auto, none, required or a function", "tool_choice");
}

result<json, api_error> response_format(const json& format) {
    const std::string type = format.is_object() ? string_field(format, "type") : std::string();
    if (type == "text") {
        return ok(json(nullptr));
    }
    if (type == "json_object") {
        return ok(json{{"type", "json_object"}});
    }
    if (type == "json_schema") {
        json schema = json::object();
        for (const char* key : {"name", "description", "schema", "strict"}) {
            if (auto it = format.find(key); it != format.end() && !it->is_null()) {
                schema[key] = *it;
            }
        }
        return ok(json{{"type", "json_schema"}, {"json_schema", std::move(schema)}});
    }
    return invalid("text.format type must be text, json_object or json_schema", "text");
}

/// Settings translated one to one (or under a new name).
void copy_settings(const json& body, json& chat) {
    for (const char* key :
         {"model", "temperature", "top_p", "parallel_tool_calls", "user", "metadata", "stream"}) {
        if (auto it = body.find(key); it != body.end() && !it->is_null()) {
            chat[key] = *it;
        }
    }
    if (auto it = body.find("max_output_tokens"); it != body.end() && !it->is_null()) {
        chat["max_completion_tokens"] = *it;
    }
    if (auto r = body.find("reasoning"); r != body.end() && r->is_object()) {
        if (auto effort = r->find("effort"); effort != r->end() && effort->is_string()) {
            chat["reasoning_effort"] = *effort;
        }
    }
    if (auto s = chat.find("stream"); s != chat.end() && s->is_boolean() && s->get<bool>()) {
        chat["stream_options"] = {{"include_usage", true}};
    }
}

result<json, api_error> chat_messages(const json& body) {
    json messages = json::array();
    if (auto instr = body.find("instructions"); instr != body.end() && !instr->is_null()) {
        if (instr->is_string()) {
            messages.push_back({{"role", "system"}, {"content", *instr}});
        } else if (instr->is_array()) {
            auto added = add_items(messages, *instr);
            if (!added) {
                return added.error();
            }
        } else {
            return invalid("instructions must be a string", "instructions");
        }
    }
    auto input = body.find("input");
    if (input != body.end() && input->is_string()) {
        messages.push_back({{"role", "user"}, {"content", *input}});
    } else if (input != body.end() && input->is_array()) {
        auto added = add_items(messages, *input);
        if (!added) {
            return added.error();
        }
    } else if (input != body.end() && !input->is_null()) {
        return invalid("input must be a string or an array of items", "input");
    }
    if (messages.empty()) {
        return invalid("input is required", "input");
    }
    return ok(std::move(messages));
}

}  // namespace

result<nlohmann::json, core::api_error> responses_to_chat_request(
    const nlohmann::json& responses_body) {
    if (!responses_body.is_object()) {
        return invalid("The request body must be a JSON object", "input");
    }
    if (auto unresolved = responses_detail::unresolved_previous_response(responses_body)) {
        return std::move(*unresolved);
    }
    auto messages = chat_messages(responses_body);
    if (!messages) {
        return messages.error();
    }
    json chat = json::object();
    chat["messages"] = std::move(*messages);
    copy_settings(responses_body, chat);
    if (auto tools = responses_body.find("tools"); tools != responses_body.end() &&
                                                   !tools->is_null() &&
                                                   !(tools->is_array() && tools->empty())) {
        auto mapped = chat_tools(*tools);
        if (!mapped) {
            return mapped.error();
        }
        chat["tools"] = std::move(*mapped);
    }
    if (auto choice = responses_body.find("tool_choice");
        choice != responses_body.end() && !choice->is_null()) {
        auto mapped = chat_tool_choice(*choice);
        if (!mapped) {
            return mapped.error();
        }
        chat["tool_choice"] = std::move(*mapped);
    }
    if (auto text = responses_body.find("text");
        text != responses_body.end() && text->is_object()) {
        if (auto format = text->find("format"); format != text->end() && !format->is_null()) {
            auto mapped = response_format(*format);
            if (!mapped) {
                return mapped.error();
            }
            if (!mapped->is_null()) {
                chat["response_format"] = std::move(*mapped);
            }
        }
    }
    return ok(std::move(chat));
}

}  // namespace hadrian::providers
