#include "anthropic_text.hpp"

#include <charconv>
#include <initializer_list>
#include <utility>

#include "anthropic_translate.hpp"
#include "hadrian/core/json_scan.hpp"
#include "hadrian/core/json_validate.hpp"

namespace hadrian::providers {

namespace {

constexpr std::size_t npos = core::json_npos;

/// A value read from the answer: its text (a view into it), or nothing when absent or null,
/// as translate_common's member() sees it.
using value = std::optional<std::string_view>;

/// The value at the start of `rest` into `out` (nothing when null). Returns its size.
std::size_t take(std::string_view rest, value& out) {
    const std::size_t n = core::json_value_size(rest);
    if (n != npos) {
        const std::string_view v = rest.substr(0, n);
        out = v == "null" ? value() : value(v);
    }
    return n;
}

/// Walks the object at the start of `rest`: the members named in `slots` are taken (the last
/// of repeated ones, as the parser keeps), the others skipped. Returns its size, or npos.
using slot_list = std::initializer_list<std::pair<std::string_view, value*>>;

/// The member `key` whose value starts `rest`: taken into its slot when named in `slots`,
/// else skipped. Returns the value's size, or npos.
std::size_t take_member(std::string_view key, std::string_view rest, slot_list slots) {
    for (const auto& [name, slot] : slots) {
        if (key == name) {
            return take(rest, *slot);
        }
    }
    return core::json_value_size(rest);
}

std::size_t take_members(std::string_view rest, slot_list slots) {
    return core::json_object_at(rest, [&](std::string_view key, std::string_view value_rest) {
        return take_member(key, value_rest, slots);
    });
}

bool is_string(const value& v) { return v && v->front() == '"'; }

/// A string value's text between its quotes, escapes as written.
std::string_view inner(std::string_view v) { return v.substr(1, v.size() - 2); }

/// A string value unescaped, into `scratch` when it holds an escape; "" when not a string.
std::string_view unescaped(const value& v, std::string& scratch) {
    if (!is_string(v)) {
        return {};
    }
    const std::string_view in = inner(*v);
    if (in.find('\\') == std::string_view::npos) {
        return in;
    }
    scratch = core::json_string_value(*v).value_or(std::string());
    return scratch;
}

/// Counts above this are left to the parser: the sums written stay far from overflowing.
constexpr std::int64_t max_count = 1'000'000'000'000'000;

/// A count as int_member reads it (a number as an integer, anything else 0) into `out`;
/// false for numbers other than plain integers of a sane size, left to the parser.
bool read_count(const value& v, std::int64_t& out) {
    out = 0;
    if (!v) {
        return true;
    }
    const char c = v->front();
    if (c != '-' && (c < '0' || c > '9')) {
        return true;  // a string, a boolean, an object or an array: not a number
    }
    const char* const end = v->data() + v->size();
    const auto [ptr, ec] = std::from_chars(v->data(), end, out);
    return ec == std::errc() && ptr == end && out < max_count && out > -max_count;
}

struct usage_counts {
    std::int64_t input = 0;
    std::int64_t read = 0;
    std::int64_t write = 0;
    std::int64_t output = 0;
};

/// The usage value at the start of `rest` into `out`: its counts (the last of repeated
/// members), none for anything but an object. Returns its size; npos when malformed or when a
/// count is left to the parser.
std::size_t read_usage(std::string_view rest, usage_counts& out) {
    out = usage_counts();
    if (rest.front() != '{') {
        return core::json_value_size(rest);  // member() finds no counts in a non-object
    }
    value input, read, write, output;
    const std::size_t n = take_members(rest, {{"input_tokens", &input},
                                              {"cache_read_input_tokens", &read},
                                              {"cache_creation_input_tokens", &write},
                                              {"output_tokens", &output}});
    const bool counts = read_count(input, out.input) && read_count(read, out.read) &&
                        read_count(write, out.write) && read_count(output, out.output);
    return counts ? n : npos;
}

/// The content value at the start of `rest`: the text and thinking of its blocks, strings
/// appended as written (none for anything but an array). Returns its size; npos when
/// malformed or for blocks left to the parser (tool_use).
std::size_t read_content(std::string_view rest, std::string& text, std::string& reasoning) {
    text.clear();
    reasoning.clear();
    if (rest.front() != '[') {
        return core::json_value_size(rest);
    }
    std::string scratch;
    return core::json_array_at(rest, [&](std::string_view block) {
        if (block.front() != '{') {
            return core::json_value_size(block);
        }
        value type, block_text, thinking;
        const std::size_t size =
            take_members(block, {{"type", &type}, {"text", &block_text}, {"thinking", &thinking}});
        const std::string_view t = unescaped(type, scratch);
        if (t == "text" && is_string(block_text)) {
            text.append(inner(*block_text));
        } else if (t == "thinking" && is_string(thinking)) {
            reasoning.append(inner(*thinking));
        } else if (t == "tool_use") {
            return npos;
        }
        return size;
    });
}

void append_int(std::string& out, std::int64_t v) {
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
    out.append(digits, end);
}

/// A positive integer written plainly (a max_tokens the full translation takes as it is).
std::optional<std::int64_t> positive_count(const value& v) {
    std::int64_t n = 0;
    if (!v || v->front() < '1' || v->front() > '9' || !read_count(v, n)) {
        return std::nullopt;
    }
    return n;
}

/// The chat request members the Messages request is written from (the last of repeated
/// ones, as the parser keeps).
struct chat_parts {
    value max_completion_tokens;
    value max_tokens;
    value temperature;
    value top_p;
    value top_k;
    value stop;
    value user;
    // Members left to the full translation.
    value tools;
    value reasoning_effort;
    value n;
};

/// The messages array at the start of `messages` as Messages `messages` (into `out`, from its
/// `[`) and the joined system text (as written, escapes kept). Returns its size; npos for
/// anything but an array, and for messages left to the full translation.
std::size_t write_messages(std::string_view messages, std::string& out, std::string& system) {
    if (messages.front() != '[') {
        return npos;
    }
    std::string scratch;
    std::string_view last_role;  // of the last message written, which the next may join
    bool ok = true;
    out.push_back('[');
    const std::size_t n = core::json_array_at(messages, [&](std::string_view element) {
        value role, content, tool_calls;
        const std::size_t size = element.front() != '{'
                                     ? npos
                                     : take_members(element, {{"role", &role},
                                                              {"content", &content},
                                                              {"tool_calls", &tool_calls}});
        const std::string_view r = unescaped(role, scratch);
        const bool known = r == "system" || r == "developer" || r == "user" || r == "assistant";
        if (size == npos || tool_calls || !known || (content && !is_string(content))) {
            ok = false;
            return npos;
        }
        const std::string_view text = content ? inner(*content) : std::string_view();
        if (text.empty()) {
            return size;  // no text block: Anthropic refuses empty ones
        }
        if (r == "system" || r == "developer") {
            if (!system.empty()) {
                system.append("\\n\\n");
            }
            system.append(text);
            return size;
        }
        if (r == last_role) {
            out.push_back(',');
        } else {
            if (!last_role.empty()) {
                out.append("]},");
            }
            out.append(R"({"role":")").append(r).append(R"(","content":[)");
            last_role = r == "user" ? "user" : "assistant";
        }
        out.append(R"({"type":"text","text":")").append(text).append(R"("})");
        return size;
    });
    if (!ok || n == npos) {
        return npos;
    }
    if (!last_role.empty()) {
        out.append("]}");
    }
    out.push_back(']');
    return n;
}

}  // namespace

std::optional<chat_text> anthropic_chat_text(std::string_view message, std::string_view model,
                                             std::int64_t created) {
    if (!core::json_surely_valid(message)) {
        return std::nullopt;
    }
    std::size_t start = message.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos || message[start] != '{') {
        return std::nullopt;
    }
    // One walk: the content and the usage are read where they lie, not skipped and walked
    // again. The last of repeated members counts, as the parser keeps it.
    value id, stop_reason;
    std::string text;
    std::string reasoning;
    usage_counts u;
    const std::size_t n = core::json_object_at(message.substr(start),
                                               [&](std::string_view key, std::string_view rest) {
                                                   if (key == "content") {
                                                       return read_content(rest, text, reasoning);
                                                   }
                                                   if (key == "usage") {
                                                       return read_usage(rest, u);
                                                   }
                                                   if (key == "id") {
                                                       return take(rest, id);
                                                   }
                                                   if (key == "stop_reason") {
                                                       return take(rest, stop_reason);
                                                   }
                                                   return core::json_value_size(rest);
                                               });
    if (n == npos) {
        return std::nullopt;
    }
    std::string scratch;
    chat_text out;
    chat_figures& f = out.figures;
    f.finish_reason = anthropic_finish_reason(unescaped(stop_reason, scratch));
    f.usage = true;
    f.prompt_tokens = u.input + u.read + u.write;
    f.completion_tokens = u.output;
    f.cached_tokens = u.read;

    std::string& s = out.text;
    s.reserve(text.size() + reasoning.size() + model.size() + 512);
    s.append(R"({"id":"chatcmpl-)");
    if (is_string(id)) {
        s.append(inner(*id));
    }
    s.append(R"(","object":"chat.completion","created":)");
    append_int(s, created);
    s.append(R"(,"model":)");
    core::json_append_quoted(s, model);
    s.append(R"(,"choices":[{"index":0,"message":{"role":"assistant","content":")");
    s.append(text).append(R"(","refusal":null)");
    if (!reasoning.empty()) {
        s.append(R"(,"reasoning":")").append(reasoning).push_back('"');
    }
    s.append(R"(},"logprobs":null,"finish_reason":")").append(f.finish_reason);
    s.append(R"("}],"usage":)");
    const std::size_t usage_at = s.size();
    s.append(R"({"prompt_tokens":)");
    append_int(s, f.prompt_tokens);
    s.append(R"(,"completion_tokens":)");
    append_int(s, f.completion_tokens);
    s.append(R"(,"total_tokens":)");
    append_int(s, f.prompt_tokens + f.completion_tokens);
    s.append(R"(,"prompt_tokens_details":{"cached_tokens":)");
    append_int(s, u.read);
    s.append(R"(,"cache_write_tokens":)");
    append_int(s, u.write);
    s.append("}}");
    f.usage_span = {usage_at, s.size() - usage_at};
    s.push_back('}');
    return out;
}

}  // namespace hadrian::providers

namespace hadrian::providers {

std::optional<std::string> anthropic_request_text(std::string_view chat, std::string_view model,
                                                  std::uint32_t default_max_tokens, bool stream) {
    const std::size_t start = chat.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos || chat[start] != '{') {
        return std::nullopt;
    }
    // One walk: the messages are written where they lie, not skipped and walked again. The
    // last of repeated members counts, as the parser keeps it.
    chat_parts p;
    bool has_messages = false;
    std::string messages;
    std::string system;
    const std::size_t n =
        core::json_object_at(chat.substr(start), [&](std::string_view key, std::string_view rest) {
            if (key == "messages") {
                has_messages = true;
                messages.clear();
                system.clear();
                return write_messages(rest, messages, system);
            }
            return take_member(key, rest,
                               {{"max_completion_tokens", &p.max_completion_tokens},
                                {"max_tokens", &p.max_tokens},
                                {"temperature", &p.temperature},
                                {"top_p", &p.top_p},
                                {"top_k", &p.top_k},
                                {"stop", &p.stop},
                                {"user", &p.user},
                                {"tools", &p.tools},
                                {"reasoning_effort", &p.reasoning_effort},
                                {"n", &p.n}});
        });
    if (n == npos || p.tools || p.reasoning_effort || p.n || !has_messages) {
        return std::nullopt;
    }
    std::int64_t max_tokens = default_max_tokens;
    if (const value& given = p.max_completion_tokens ? p.max_completion_tokens : p.max_tokens) {
        const auto v = positive_count(given);
        if (!v) {
            return std::nullopt;  // refused by the full translation
        }
        max_tokens = *v;
    }
    std::string out;
    out.reserve(chat.size() + 128);
    out.append(R"({"model":)");
    core::json_append_quoted(out, model);
    out.append(R"(,"max_tokens":)");
    append_int(out, max_tokens);
    out.append(R"(,"messages":)").append(messages);
    if (!system.empty()) {
        out.append(R"(,"system":")").append(system).push_back('"');
    }
    const std::pair<const char*, const value*> copied[] = {{R"(,"temperature":)", &p.temperature},
                                                           {R"(,"top_p":)", &p.top_p},
                                                           {R"(,"top_k":)", &p.top_k}};
    for (const auto& [name, v] : copied) {
        if (*v) {
            out.append(name).append(**v);
        }
    }
    if (is_string(p.stop)) {
        out.append(R"(,"stop_sequences":[)").append(*p.stop).push_back(']');
    } else if (p.stop && p.stop->front() == '[' &&
               p.stop->find_first_not_of(" \t\r\n", 1) != p.stop->size() - 1) {
        out.append(R"(,"stop_sequences":)").append(*p.stop);
    }
    if (is_string(p.user)) {
        out.append(R"(,"metadata":{"user_id":)").append(*p.user).push_back('}');
    }
    if (stream) {
        out.append(R"(,"stream":true)");
    }
    out.push_back('}');
    return out;
}

}  // namespace hadrian::providers

namespace hadrian::providers {

namespace {

/// The delta event as Anthropic writes it, read as text once the event is known to be valid
/// JSON: `{"type":"content_block_delta","index":<digits>,"delta":{"type":"text_delta",
/// "text":"…"}}` (or a thinking delta), nothing before or after. Anything else is read
/// member by member.
std::optional<anthropic_text_delta> canonical_text_delta(std::string_view event) {
    constexpr std::string_view head = R"({"type":"content_block_delta","index":)";
    constexpr std::string_view text_delta = R"(,"delta":{"type":"text_delta","text":)";
    constexpr std::string_view thinking_delta = R"(,"delta":{"type":"thinking_delta","thinking":)";
    if (!event.starts_with(head)) {
        return std::nullopt;
    }
    std::string_view rest = event.substr(head.size());
    const std::size_t digits = rest.find_first_not_of("0123456789");
    if (digits == 0 || digits == std::string_view::npos) {
        return std::nullopt;
    }
    rest.remove_prefix(digits);
    bool thinking = false;
    if (rest.starts_with(text_delta)) {
        rest.remove_prefix(text_delta.size());
    } else if (rest.starts_with(thinking_delta)) {
        rest.remove_prefix(thinking_delta.size());
        thinking = true;
    } else {
        return std::nullopt;
    }
    if (rest.empty() || rest.front() != '"') {
        return std::nullopt;
    }
    const std::size_t size = core::json_value_size(rest);
    if (size == core::json_npos || rest.substr(size) != "}}") {
        return std::nullopt;
    }
    return anthropic_text_delta{thinking, inner(rest.substr(0, size))};
}

}  // namespace

std::optional<anthropic_text_delta> read_text_delta(std::string_view data) {
    const std::size_t start = data.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos || data[start] != '{' || !core::json_surely_valid(data)) {
        return std::nullopt;
    }
    if (auto canonical = canonical_text_delta(data.substr(start))) {
        return canonical;
    }
    value type, delta;
    const std::size_t n = take_members(data.substr(start), {{"type", &type}, {"delta", &delta}});
    std::string scratch;
    if (n == npos || unescaped(type, scratch) != "content_block_delta" || !delta ||
        delta->front() != '{') {
        return std::nullopt;
    }
    value delta_type, text, thinking;
    take_members(*delta, {{"type", &delta_type}, {"text", &text}, {"thinking", &thinking}});
    const std::string_view kind = unescaped(delta_type, scratch);
    if (kind == "text_delta") {
        return anthropic_text_delta{false, is_string(text) ? inner(*text) : std::string_view()};
    }
    if (kind == "thinking_delta") {
        return anthropic_text_delta{true,
                                    is_string(thinking) ? inner(*thinking) : std::string_view()};
    }
    return std::nullopt;
}

}  // namespace hadrian::providers
