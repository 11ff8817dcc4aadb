// `${VAR}` / `${VAR:-default}` expansion on the raw TOML text, before parsing.
//
// The scanner follows TOML's lexical states (comments, basic, literal and multi-line strings)
// only far enough to know whether a `#` starts a comment (references in comments are left
// alone) and how an expanded value must be written where it lands:
//   - outside strings the value is inserted as-is, so `port = ${PORT:-8080}` works;
//   - inside "basic" strings it is escaped, so quotes and backslashes in a value stay data;
//   - inside 'literal' strings a value that cannot be written there is an error.
// Defaults are file text (already written in TOML syntax) and may contain references
// themselves: `${A:-${B:-x}}`. `$$` and a `$` not followed by `{` are copied unchanged.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "hadrian/config/config.hpp"
#include "hadrian/core/log.hpp"

namespace hadrian::config {
namespace {

enum class lex { normal, comment, basic, literal, ml_basic, ml_literal };

[[noreturn]] void fail_at_line(int line, const std::string& message) {
    throw config_error("line " + std::to_string(line) + ": " + message);
}

bool is_name_char(char c, bool first) {
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    return alpha || (!first && c >= '0' && c <= '9');
}

/// Append an environment variable's value as it must be written in state `where`.
void append_value(std::string& out, std::string_view name, std::string_view value, lex where,
                  int line) {
    switch (where) {
        case lex::basic:
        case lex::ml_basic:
            // TOML basic strings take JSON's escapes.
            out += core::json_escape(value);
            return;
        case lex::literal:
            for (char c : value) {
                if (c == '\'' || (static_cast<unsigned char>(c) < 0x20 && c != '\t')) {
                    fail_at_line(line, "the value of environment variable '" + std::string(name) +
                                           "' cannot be written in a '...' literal string; use "
                                           "a \"...\" string");
                }
            }
            break;
        case lex::ml_literal:
            if (value.find("'''") != std::string_view::npos) {
                fail_at_line(line, "the value of environment variable '" + std::string(name) +
                                       "' cannot be written in a '''...''' literal string");
            }
            break;
        case lex::normal:
        case lex::comment:
            break;
    }
    out += value;
}

std::size_t expand_dollar(std::string_view text, std::size_t i, lex where, int line,
                          std::string& out);

/// Expand every reference in `text` (a default value), which sits in lexical state `where`.
std::string expand_all(std::string_view text, lex where, int line) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '$') {
            i = expand_dollar(text, i, where, line, out);
        } else {
            out += text[i++];
        }
    }
    return out;
}

/// `text[i]` is a `$`: append its expansion to `out` and return the index after it.
std::size_t expand_dollar(std::string_view text, std::size_t i, lex where, int line,
                          std::string& out) {
    if (i + 1 < text.size() && text[i + 1] == '$') {
        out += "$$";
        return i + 2;
    }
    if (i + 1 >= text.size() || text[i + 1] != '{') {
        out += '$';
        return i + 1;
    }
    // Find the closing brace, counting nested braces (defaults may hold references).
    std::size_t end = i + 2;
    int depth = 1;
    for (; end < text.size(); ++end) {
        const char c = text[end];
        if (c == '\n') {
            break;
        }
        if (c == '{') {
            ++depth;
        } else if (c == '}' && --depth == 0) {
            break;
        }
    }
    if (end >= text.size() || text[end] != '}') {
        fail_at_line(line, "unterminated '${' (expected '${VAR}' or '${VAR:-default}')");
    }
    const std::string_view body = text.substr(i + 2, end - i - 2);
    std::size_t name_len = 0;
    while (name_len < body.size() && is_name_char(body[name_len], name_len == 0)) {
        ++name_len;
    }
    const std::string name(body.substr(0, name_len));
    const std::string_view rest = body.substr(name_len);
    const bool has_default = rest.substr(0, 2) == ":-";
    if (name.empty() || (!rest.empty() && !has_default)) {
        fail_at_line(line, "invalid reference '${" + std::string(body) +
                               "}' (expected '${VAR}' or '${VAR:-default}', VAR made of "
                               "letters, digits and '_')");
    }
    const char* value = std::getenv(name.c_str());
    if (has_default) {
        if (value == nullptr || *value == '\0') {
            out += expand_all(rest.substr(2), where, line);
        } else {
            append_value(out, name, value, where, line);
        }
    } else if (value == nullptr) {
        fail_at_line(line, "environment variable '" + name + "' is not set (write '${" + name +
                               ":-default}' to make it optional)");
    } else {
        append_value(out, name, value, where, line);
    }
    return end + 1;
}

/// Length of the run of `c` starting at `i`.
std::size_t run_length(std::string_view text, std::size_t i, char c) {
    std::size_t n = 0;
    while (i + n < text.size() && text[i + n] == c) {
        ++n;
    }
    return n;
}

}  // namespace

std::string interpolate_env(const std::string& input) {
    const std::string_view text = input;
    std::string out;
    out.reserve(text.size());
    lex state = lex::normal;
    int line = 1;
    std::size_t i = 0;
    auto copy = [&](std::size_t n) {
        out.append(text.substr(i, n));
        i += n;
    };
    while (i < text.size()) {
        const char c = text[i];
        if (c == '\n') {
            ++line;
            // Single-line constructs end at the newline (an unterminated string is a TOML
            // error the parser reports; here it must not swallow the rest of the file).
            if (state == lex::comment || state == lex::basic || state == lex::literal) {
                state = lex::normal;
            }
            copy(1);
            continue;
        }
        if (c == '$' && state != lex::comment) {
            i = expand_dollar(text, i, state, line, out);
            continue;
        }
        switch (state) {
            case lex::comment:
                copy(1);
                break;
            case lex::normal:
                if (c == '#') {
                    state = lex::comment;
                    copy(1);
                } else if (c == '"' || c == '\'') {
                    const bool multi = run_length(text, i, c) >= 3;
                    state = c == '"' ? (multi ? lex::ml_basic : lex::basic)
                                     : (multi ? lex::ml_literal : lex::literal);
                    copy(multi ? 3 : 1);
                } else {
                    copy(1);
                }
                break;
            case lex::basic:
                if (c == '\\') {
                    copy(i + 1 < text.size() && text[i + 1] != '\n' ? 2 : 1);
                } else {
                    if (c == '"') {
                        state = lex::normal;
                    }
                    copy(1);
                }
                break;
            case lex::literal:
                if (c == '\'') {
                    state = lex::normal;
                }
                copy(1);
                break;
            case lex::ml_basic:
            case lex::ml_literal: {
                const char quote = state == lex::ml_basic ? '"' : '\'';
                if (state == lex::ml_basic && c == '\\') {
                    copy(i + 1 < text.size() && text[i + 1] != '\n' ? 2 : 1);
                } else if (c == quote) {
                    // Up to two quotes may precede the closing delimiter ("""a"""").
                    const std::size_t n = run_length(text, i, quote);
                    if (n >= 3) {
                        state = lex::normal;
                    }
                    copy(n);
                } else {
                    copy(1);
                }
                break;
            }
        }
    }
    return out;
}

}  // namespace hadrian::config
