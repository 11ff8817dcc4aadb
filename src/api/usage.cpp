#include "usage.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "hadrian/core/json_scan.hpp"

namespace hadrian::api {

namespace {

std::int64_t int_at(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number()) {
        return 0;
    }
    return it->get<std::int64_t>();
}

std::int64_t nested_int(const nlohmann::json& j, const char* obj, const char* key) {
    auto it = j.find(obj);
    if (it == j.end() || !it->is_object()) {
        return 0;
    }
    return int_at(*it, key);
}

}  // namespace

token_usage read_usage(providers::operation op, const nlohmann::json& usage) {
    token_usage u;
    if (!usage.is_object()) {
        return u;
    }
    u.known = true;
    if (op == providers::operation::responses) {
        u.input = int_at(usage, "input_tokens");
        u.output = int_at(usage, "output_tokens");
        u.cached = nested_int(usage, "input_tokens_details", "cached_tokens");
        u.reasoning = nested_int(usage, "output_tokens_details", "reasoning_tokens");
    } else {
        u.input = int_at(usage, "prompt_tokens");
        u.output = int_at(usage, "completion_tokens");
        u.cached = nested_int(usage, "prompt_tokens_details", "cached_tokens");
        u.reasoning = nested_int(usage, "completion_tokens_details", "reasoning_tokens");
    }
    return u;
}

token_usage read_usage(const providers::chat_figures& figures) {
    token_usage u;
    if (figures.usage) {
        u.known = true;
        u.input = figures.prompt_tokens;
        u.output = figures.completion_tokens;
        u.cached = figures.cached_tokens;
        u.reasoning = figures.reasoning_tokens;
    }
    return u;
}

std::string read_finish_reason(providers::operation op, const nlohmann::json& body) {
    if (op == providers::operation::chat_completions) {
        auto choices = body.find("choices");
        if (choices != body.end() && choices->is_array() && !choices->empty()) {
            auto fr = (*choices)[0].find("finish_reason");
            if (fr != (*choices)[0].end() && fr->is_string()) {
                return fr->get<std::string>();
            }
        }
        return {};
    }
    if (op != providers::operation::responses) {
        return {};
    }
    auto status = body.find("status");
    if (status == body.end() || !status->is_string()) {
        return {};
    }
    if (*status == "incomplete") {
        auto details = body.find("incomplete_details");
        if (details != body.end() && details->is_object()) {
            auto reason = details->find("reason");
            if (reason != details->end() && *reason == "max_output_tokens") {
                return "length";
            }
            if (reason != details->end() && *reason == "content_filter") {
                return "content_filter";
            }
        }
        return "length";
    }
    if (*status != "completed") {
        return status->get<std::string>();
    }
    auto output = body.find("output");
    if (output != body.end() && output->is_array()) {
        for (const auto& item : *output) {
            auto type = item.find("type");
            if (type != item.end() && *type == "function_call") {
                return "tool_calls";
            }
        }
    }
    return "stop";
}

void add_usage_headers(number_fields& fields, const token_usage& u) {
    if (!u.known) {
        return;
    }
    fields.add("X-Input-Tokens", u.input);
    fields.add("X-Output-Tokens", u.output);
    fields.add("X-Cached-Tokens", u.cached);
    fields.add("X-Reasoning-Tokens", u.reasoning);
}

bool splice_usage_cost(std::string& body, double cost, std::optional<core::json_span> at) {
    const auto usage =
        at ? std::optional<std::string_view>(std::string_view(body).substr(at->offset, at->size))
           : core::json_member_value(body, "usage");
    if (!usage || usage->size() < 2 || usage->front() != '{' || usage->back() != '}') {
        return false;
    }
    const std::size_t close =
        static_cast<std::size_t>(usage->data() - body.data()) + usage->size() - 1;
    bool empty = true;
    for (std::size_t i = 1; i + 1 < usage->size(); ++i) {
        const char c = (*usage)[i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            empty = false;
            break;
        }
    }
    // The shortest text that reads back as `cost`, as JSON writes it (integral values with
    // ".0", non-finite ones null), without building a document to dump one number.
    char member[48] = ",\"cost\":";
    char* const number = member + 8;
    char* end = number;
    if (std::isfinite(cost)) {
        end = std::to_chars(number, member + sizeof member - 2, cost).ptr;
        if (std::find_if(number, end, [](char c) { return c == '.' || c == 'e'; }) == end) {
            *end++ = '.';
            *end++ = '0';
        }
    } else {
        end = std::copy_n("null", 4, number);
    }
    const char* const begin = empty ? member + 1 : member;
    body.insert(close, begin, static_cast<std::size_t>(end - begin));
    return true;
}

}  // namespace hadrian::api
