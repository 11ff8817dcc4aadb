#include "usage.hpp"

#include <algorithm>
#include <charconv>

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

namespace {

/// `millionths` / 10^6 in plain decimal notation ("0.000064", "1.5", "2.0"): the exact value,
/// which a JSON parser reads as the double `millionths / 1e6` is (both round it once).
char* write_millionths(char* out, std::int64_t millionths) {
    std::uint64_t m = static_cast<std::uint64_t>(millionths);
    if (millionths < 0) {
        *out++ = '-';
        m = 0 - m;
    }
    out = std::to_chars(out, out + 20, m / 1'000'000).ptr;
    *out++ = '.';
    std::uint64_t fraction = m % 1'000'000;
    if (fraction == 0) {
        *out++ = '0';
        return out;
    }
    char digits[6];
    for (int i = 5; i >= 0; --i) {
        digits[i] = static_cast<char>('0' + fraction % 10);
        fraction /= 10;
    }
    std::size_t n = sizeof digits;
    while (digits[n - 1] == '0') {
        --n;
    }
    return std::copy_n(digits, n, out);
}

}  // namespace

bool splice_usage_cost(std::string& body, std::int64_t cost_microcents,
                       std::optional<core::json_span> at) {
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
    // The cost in dollars, written from the integer it is counted in: no floating-point
    // formatting, and no document built to dump one number.
    char member[48] = ",\"cost\":";
    const char* const end = write_millionths(member + 8, cost_microcents);
    const char* const begin = empty ? member + 1 : member;
    body.insert(close, begin, static_cast<std::size_t>(end - begin));
    return true;
}

}  // namespace hadrian::api
