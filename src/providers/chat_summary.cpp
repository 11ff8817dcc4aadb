#include "chat_summary.hpp"

#include <algorithm>
#include <span>

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

/// The value `text` parsed; plain non-negative integers (token counts) and plain strings
/// (finish reasons), nearly all the values read, without the parser.
std::optional<nlohmann::json> value_of(std::string_view text) {
    if (!text.empty() && text.size() <= 18 && (text.size() == 1 || text[0] != '0')) {
        std::uint64_t n = 0;
        bool digits = true;
        for (const char c : text) {
            if (c < '0' || c > '9') {
                digits = false;
                break;
            }
            n = n * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (digits) {
            return nlohmann::json(n);
        }
    }
    if (plain_string(text)) {
        return nlohmann::json(text.substr(1, text.size() - 2));
    }
    auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_discarded()) {
        return std::nullopt;
    }
    return parsed;
}

/// A member kept of an object: its value parsed, or when `inner` is named and the value is an
/// object, only that member of it.
struct kept_member {
    std::string_view key;
    std::string_view inner;
};

/// The members `keep` of the object `text` (the last one when repeated, as the parser keeps
/// it); the others are scanned, not parsed. A value that is not an object is parsed whole.
std::optional<nlohmann::json> kept_members(std::string_view text,
                                           std::span<const kept_member> keep) {
    if (text.empty() || text.front() != '{') {
        return value_of(text);
    }
    nlohmann::json out = nlohmann::json::object();
    bool ok = true;
    const bool object = core::json_members(text, [&](const core::json_member& m) {
        const auto k = std::find_if(keep.begin(), keep.end(),
                                    [&](const kept_member& e) { return e.key == m.key; });
        if (k == keep.end()) {
            return true;
        }
        std::optional<nlohmann::json> value;
        if (k->inner.empty()) {
            value = value_of(m.value);
        } else {
            const kept_member inner[] = {{k->inner, {}}};
            value = kept_members(m.value, inner);
        }
        if (!value) {
            ok = false;
            return false;
        }
        out[std::string(m.key)] = std::move(*value);
        return true;
    });
    if (!object || !ok) {
        return std::nullopt;
    }
    return out;
}

/// What the gateway reads of a chat completion's `usage` (api::read_usage).
constexpr kept_member usage_members[] = {{"prompt_tokens", {}},
                                         {"completion_tokens", {}},
                                         {"prompt_tokens_details", "cached_tokens"},
                                         {"completion_tokens_details", "reasoning_tokens"}};

}  // namespace

std::optional<nlohmann::json> chat_summary(std::string_view text) {
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
    nlohmann::json summary = nlohmann::json::object();
    if (usage) {
        // Only the token counts: the usage object is not parsed whole.
        auto counts = kept_members(*usage, usage_members);
        if (!counts) {
            return std::nullopt;
        }
        summary["usage"] = std::move(*counts);
    }
    if (choices) {
        nlohmann::json first = nlohmann::json::object();
        if (auto element = core::json_first_element(*choices)) {
            if (auto fr = core::json_member_value(*element, "finish_reason")) {
                if (auto parsed = value_of(*fr)) {
                    first["finish_reason"] = std::move(*parsed);
                }
            }
        }
        summary["choices"] = nlohmann::json::array({std::move(first)});
    }
    return summary;
}

}  // namespace hadrian::providers
