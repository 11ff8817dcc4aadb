#include "chat_summary.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "hadrian/core/json_scan.hpp"

namespace hadrian::providers {

namespace {

/// Whether `text` is a JSON string of printable ASCII without escapes (finish reasons).
bool plain_string(std::string_view text) {
    if (text.size() < 2 || text.front() != '"' || text.back() != '"') {
        return false;
    }
    return std::all_of(text.begin() + 1, text.end() - 1,
                       [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
}

/// A plain non-negative integer that fits (token counts, nearly always), read without the
/// parser.
std::optional<std::int64_t> plain_count(std::string_view text) {
    if (text.empty() || text.size() > 18 || (text.size() > 1 && text[0] == '0')) {
        return std::nullopt;
    }
    std::int64_t n = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        n = n * 10 + (c - '0');
    }
    return n;
}

/// A token count as the parser reads it: a number as an integer, anything else 0. nullopt
/// when `text` is not valid JSON.
std::optional<std::int64_t> count_of(std::string_view text) {
    if (auto n = plain_count(text)) {
        return n;
    }
    const auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_discarded()) {
        return std::nullopt;
    }
    return parsed.is_number() ? parsed.get<std::int64_t>() : 0;
}

/// The member `key` of the details object `text` (the last when repeated) as a count; 0 when
/// `text` is not an object or has no such member. False when a value read is invalid.
bool detail_count(std::string_view text, std::string_view key, std::int64_t& out) {
    out = 0;
    if (text.empty() || text.front() != '{') {
        return !nlohmann::json::parse(text, nullptr, false).is_discarded();
    }
    bool ok = true;
    const bool object = core::json_members(text, [&](const core::json_member& m) {
        if (m.key == key) {
            const auto n = count_of(m.value);
            ok = n.has_value();
            out = n.value_or(0);
        }
        return ok;
    });
    return object && ok;
}

/// The token counts of the usage object `text` into `f`. False when a value read is invalid.
bool read_counts(std::string_view text, chat_figures& f) {
    bool ok = true;
    const bool object = core::json_members(text, [&](const core::json_member& m) {
        if (m.key == "prompt_tokens" || m.key == "completion_tokens") {
            const auto n = count_of(m.value);
            ok = n.has_value();
            (m.key == "prompt_tokens" ? f.prompt_tokens : f.completion_tokens) = n.value_or(0);
        } else if (m.key == "prompt_tokens_details") {
            ok = detail_count(m.value, "cached_tokens", f.cached_tokens);
        } else if (m.key == "completion_tokens_details") {
            ok = detail_count(m.value, "reasoning_tokens", f.reasoning_tokens);
        }
        return ok;
    });
    return object && ok;
}

/// The finish reason of the first element of `choices`, when a string. False when the value
/// is not valid JSON.
bool read_finish_reason(std::string_view choices, std::string& out) {
    const auto first = core::json_first_element(choices);
    if (!first) {
        return true;
    }
    const auto reason = core::json_member_value(*first, "finish_reason");
    if (!reason) {
        return true;
    }
    if (plain_string(*reason)) {
        out.assign(reason->substr(1, reason->size() - 2));
        return true;
    }
    const auto parsed = nlohmann::json::parse(*reason, nullptr, false);
    if (parsed.is_discarded()) {
        return false;
    }
    if (parsed.is_string()) {
        out = parsed.get<std::string>();
    }
    return true;
}

}  // namespace

std::optional<chat_figures> chat_summary(std::string_view text) {
    std::optional<std::string_view> usage;
    std::optional<std::string_view> choices;
    const bool object = core::json_members(text, [&](const core::json_member& m) {
        if (m.key == "usage" && !usage) {
            usage = m.value;
        } else if (m.key == "choices" && !choices) {
            choices = m.value;
        }
        return true;
    });
    if (!object) {
        return std::nullopt;
    }
    chat_figures f;
    if (usage) {
        f.usage_span = core::json_span_of(text, *usage);
        if (usage->front() == '{') {
            f.usage = true;
            if (!read_counts(*usage, f)) {
                return std::nullopt;
            }
        } else if (nlohmann::json::parse(*usage, nullptr, false).is_discarded()) {
            return std::nullopt;
        }
    }
    if (choices && !read_finish_reason(*choices, f.finish_reason)) {
        return std::nullopt;
    }
    return f;
}

}  // namespace hadrian::providers
