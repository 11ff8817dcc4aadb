#include "admin_input.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <limits>

#include "hadrian/auth/cidr.hpp"
#include "hadrian/auth/model_pattern.hpp"
#include "hadrian/auth/scopes.hpp"
#include "hadrian/core/hex.hpp"

namespace hadrian::api {

namespace {

using core::api_error;
using core::errc;
namespace chr = std::chrono;

api_error invalid(std::string message, std::string param) {
    return api_error::make(errc::validation_error, std::move(message), std::move(param));
}

// --- small text helpers ---------------------------------------------------------------------

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

/// Exactly `n` decimal digits at `text[pos]` as a number, or -1.
int digits(std::string_view text, std::size_t pos, std::size_t n) noexcept {
    if (pos + n > text.size()) {
        return -1;
    }
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (!is_digit(text[i])) {
            return -1;
        }
        v = v * 10 + (text[i] - '0');
    }
    return v;
}

std::optional<std::int64_t> days_since_epoch(int y, int m, int d) noexcept {
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31) {
        return std::nullopt;
    }
    const chr::year_month_day ymd{chr::year{y}, chr::month{static_cast<unsigned>(m)},
                                  chr::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    return chr::sys_days{ymd}.time_since_epoch().count();
}

/// Code points of `text` when it is well-formed UTF-8 (no overlong forms, no surrogates,
/// nothing above U+10FFFF); nullopt otherwise.
std::optional<std::size_t> utf8_length(std::string_view text) noexcept {
    std::size_t count = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            cp = c;
        } else if (c >= 0xc2 && c <= 0xdf) {
            extra = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            extra = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return std::nullopt;
        }
        if (extra > 0 && i + extra >= text.size()) {
            return std::nullopt;
        }
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto cc = static_cast<unsigned char>(text[i + k]);
            if ((cc & 0xc0) != 0x80) {
                return std::nullopt;
            }
            cp = cp << 6 | (cc & 0x3f);
        }
        if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff)) {
            return std::nullopt;
        }
        i += extra + 1;
        ++count;
    }
    return count;
}

/// Percent-decoding of a query component (`+` is a space); nullopt for a broken escape.
std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%') {
            if (i + 2 >= text.size()) {
                return std::nullopt;
            }
            const int hi = core::hex_value(text[i + 1]);
            const int lo = core::hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) {
                return std::nullopt;
            }
            out += static_cast<char>(hi << 4 | lo);
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

/// A decimal integer without sign or leading '+', at most 18 digits.
std::optional<std::int64_t> parse_count(std::string_view text) noexcept {
    if (text.empty() || text.size() > 18) {
        return std::nullopt;
    }
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || !is_digit(text.front())) {
        return std::nullopt;
    }
    return v;
}

// --- JSON field readers ---------------------------------------------------------------------

/// An integer JSON value in [lo, hi]; nullopt for any other value.
std::optional<std::int64_t> json_integer(const nlohmann::json& v, std::int64_t lo,
                                         std::int64_t hi) {
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(hi)) {
            return std::nullopt;
        }
        const auto s = static_cast<std::int64_t>(u);
        return s < lo ? std::nullopt : std::optional<std::int64_t>(s);
    }
    if (v.is_number_integer()) {
        const auto s = v.get<std::int64_t>();
        if (s < lo || s > hi) {
            return std::nullopt;
        }
        return s;
    }
    return std::nullopt;
}

/// A nullable positive limit (1..1e9).
input_result<std::optional<std::int64_t>> limit_field(const nlohmann::json& v,
                                                      const std::string& name) {
    if (v.is_null()) {
        return std::optional<std::int64_t>();
    }
    auto n = json_integer(v, 1, max_rate_limit);
    if (!n) {
        return invalid(name + " must be a positive integer of at most 1000000000, or null", name);
    }
    return std::optional<std::int64_t>(*n);
}

/// A nullable array of strings (null: empty).
input_result<std::vector<std::string>> string_list(const nlohmann::json& v,
                                                   const std::string& name) {
    std::vector<std::string> out;
    if (v.is_null()) {
        return out;
    }
    if (!v.is_array()) {
        return invalid(name + " must be an array of strings", name);
    }
    if (v.size() > max_list_entries) {
        return invalid(name + " must have at most " + std::to_string(max_list_entries) + " entries",
                       name);
    }
    for (const auto& item : v) {
        if (!item.is_string()) {
            return invalid(name + " must be an array of strings", name);
        }
        auto s = item.get<std::string>();
        // Duplicates carry no meaning; keep the first of each.
        if (std::find(out.begin(), out.end(), s) == out.end()) {
            out.push_back(std::move(s));
        }
    }
    return out;
}

constexpr std::array<std::string_view, 12> key_fields = {"name",
                                                         "scopes",
                                                         "allowed_models",
                                                         "ip_allowlist",
                                                         "expires_at",
                                                         "rate_limit_rpm",
                                                         "rate_limit_rpd",
                                                         "rate_limit_tpm",
                                                         "rate_limit_tpd",
                                                         "concurrent_requests",
                                                         "budget_limit_cents",
                                                         "budget_period"};

}  // namespace

// --- times ----------------------------------------------------------------------------------

std::optional<std::int64_t> parse_rfc3339(std::string_view t) noexcept {
    // 0123456789012345678
    // YYYY-MM-DDTHH:MM:SS
    if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') ||
        t[13] != ':' || t[16] != ':') {
        return std::nullopt;
    }
    const int y = digits(t, 0, 4);
    const int mo = digits(t, 5, 2);
    const int d = digits(t, 8, 2);
    const int h = digits(t, 11, 2);
    const int mi = digits(t, 14, 2);
    const int s = digits(t, 17, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) {
        return std::nullopt;
    }
    const auto days = days_since_epoch(y, mo, d);
    if (!days) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    if (pos < t.size() && t[pos] == '.') {
        ++pos;
        const std::size_t first = pos;
        while (pos < t.size() && is_digit(t[pos])) {
            ++pos;
        }
        if (pos == first) {
            return std::nullopt;
        }
    }
    std::int64_t offset = 0;
    const std::string_view zone = t.substr(pos);
    if (zone == "Z" || zone == "z") {
        offset = 0;
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
        const int oh = digits(zone, 1, 2);
        const int om = digits(zone, 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59) {
            return std::nullopt;
        }
        offset = (oh * 60 + om) * 60;
        if (zone[0] == '-') {
            offset = -offset;
        }
    } else {
        return std::nullopt;
    }
    return *days * 86'400 + h * 3600 + mi * 60 + s - offset;
}

std::optional<std::int64_t> parse_date(std::string_view t) noexcept {
    if (t.size() != 10 || t[4] != '-' || t[7] != '-') {
        return std::nullopt;
    }
    const auto days = days_since_epoch(digits(t, 0, 4), digits(t, 5, 2), digits(t, 8, 2));
    if (!days) {
        return std::nullopt;
    }
    return *days * 86'400;
}

std::string format_rfc3339(std::int64_t unix_seconds) {
    const chr::sys_seconds tp{chr::seconds{unix_seconds}};
    const auto day = chr::floor<chr::days>(tp);
    const chr::year_month_day ymd{day};
    const chr::hh_mm_ss hms{tp - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

std::int64_t unix_now() noexcept {
    return chr::duration_cast<chr::seconds>(chr::system_clock::now().time_since_epoch()).count();
}

// --- keys -----------------------------------------------------------------------------------

nlohmann::json key_json(const storage::api_key_record& key) {
    nlohmann::json out = storage::to_json(key);
    const auto time_field = [&out](const char* name, std::optional<std::int64_t> v) {
        if (v) {
            out[name] = format_rfc3339(*v);
        } else {
            out[name] = nullptr;
        }
    };
    time_field("expires_at", key.expires_at);
    time_field("created_at", key.created_at);
    time_field("revoked_at", key.revoked_at);
    time_field("last_used_at", key.last_used_at);
    return out;
}

input_result<storage::api_key_record> parse_key_settings(const nlohmann::json& body,
                                                         std::int64_t now) {
    if (!body.is_object()) {
        return api_error::make(errc::validation_error, "The request body must be a JSON object");
    }
    for (const auto& [name, _] : body.items()) {
        if (std::find(key_fields.begin(), key_fields.end(), name) == key_fields.end()) {
            return invalid("Unknown field '" + name + "'", name);
        }
    }
    const nlohmann::json null_value;
    const auto field = [&](const char* name) -> const nlohmann::json& {
        const auto it = body.find(name);
        return it == body.end() ? null_value : *it;
    };

    storage::api_key_record key;

    const auto& name = field("name");
    if (!name.is_string()) {
        return invalid(name.is_null() ? "name is required" : "name must be a string", "name");
    }
    key.name = name.get<std::string>();
    const auto name_chars = utf8_length(key.name);
    if (!name_chars) {
        return invalid("name must be valid UTF-8", "name");
    }
    if (*name_chars == 0 || *name_chars > max_key_name_chars) {
        return invalid("name must have 1 to 128 characters", "name");
    }

    const auto& scopes = field("scopes");
    if (scopes.is_null()) {
        key.scopes = {std::string(auth::scope::chat), std::string(auth::scope::completions),
                      std::string(auth::scope::embeddings), std::string(auth::scope::models)};
    } else {
        auto list = string_list(scopes, "scopes");
        if (!list) {
            return list.error();
        }
        if (list->empty()) {
            return invalid("scopes must name at least one scope", "scopes");
        }
        if (auto bad = auth::first_invalid_scope(*list)) {
            return invalid("Unknown scope '" + *bad +
                               "': expected chat, completions, embeddings, models or admin",
                           "scopes");
        }
        key.scopes = std::move(*list);
    }

    auto models = string_list(field("allowed_models"), "allowed_models");
    if (!models) {
        return models.error();
    }
    for (const auto& m : *models) {
        const auto chars = utf8_length(m);
        if (!chars || *chars > 513 || !auth::valid_model_pattern(m)) {
            return invalid("allowed_models entries must be model names, optionally ending in '*'",
                           "allowed_models");
        }
    }
    key.allowed_models = std::move(*models);

    auto ips = string_list(field("ip_allowlist"), "ip_allowlist");
    if (!ips) {
        return ips.error();
    }
    auto blocks = auth::parse_cidrs(*ips);
    if (!blocks) {
        return invalid("ip_allowlist entries must be IP addresses or CIDR blocks", "ip_allowlist");
    }
    for (const auto& block : *blocks) {
        auto text = block.to_string();
        if (std::find(key.ip_allowlist.begin(), key.ip_allowlist.end(), text) ==
            key.ip_allowlist.end()) {
            key.ip_allowlist.push_back(std::move(text));
        }
    }

    const auto& expires = field("expires_at");
    if (!expires.is_null()) {
        const auto at = expires.is_string() ? parse_rfc3339(expires.get<std::string>())
                                            : std::optional<std::int64_t>();
        if (!at) {
            return invalid("expires_at must be an RFC 3339 time such as 2030-01-01T00:00:00Z",
                           "expires_at");
        }
        if (*at <= now) {
            return invalid("expires_at must be in the future", "expires_at");
        }
        key.expires_at = *at;
    }

    for (const char* name : {"rate_limit_rpm", "rate_limit_rpd", "concurrent_requests"}) {
        auto v = limit_field(field(name), name);
        if (!v) {
            return v.error();
        }
        if (*v) {
            const auto n = static_cast<std::uint32_t>(**v);
            const std::string_view which = name;
            if (which == "rate_limit_rpm") {
                key.rate_limit_rpm = n;
            } else if (which == "rate_limit_rpd") {
                key.rate_limit_rpd = n;
            } else {
                key.concurrent_requests = n;
            }
        }
    }
    for (const char* name : {"rate_limit_tpm", "rate_limit_tpd"}) {
        auto v = limit_field(field(name), name);
        if (!v) {
            return v.error();
        }
        if (*v) {
            const auto n = static_cast<std::uint64_t>(**v);
            if (std::string_view(name) == "rate_limit_tpm") {
                key.rate_limit_tpm = n;
            } else {
                key.rate_limit_tpd = n;
            }
        }
    }

    const auto& budget = field("budget_limit_cents");
    const auto& period = field("budget_period");
    if (!budget.is_null()) {
        const auto cents = json_integer(budget, 0, max_budget_cents);
        if (!cents) {
            return invalid("budget_limit_cents must be an integer of at least 0, or null",
                           "budget_limit_cents");
        }
        key.budget_limit_cents = *cents;
    }
    if (!period.is_null()) {
        const bool known = period.is_string() && (period.get<std::string>() == "daily" ||
                                                  period.get<std::string>() == "monthly");
        if (!known) {
            return invalid("budget_period must be \"daily\" or \"monthly\"", "budget_period");
        }
        if (!key.budget_limit_cents) {
            return invalid("budget_period needs budget_limit_cents", "budget_period");
        }
        key.budget_period = period.get<std::string>();
    } else if (key.budget_limit_cents) {
        return invalid(
            "budget_period (\"daily\" or \"monthly\") is required with "
            "budget_limit_cents",
            "budget_period");
    }
    return key;
}

input_result<storage::api_key_record> parse_key_settings_body(std::string_view body,
                                                              std::int64_t now) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return parse_key_settings(nlohmann::json::object(), now);
    }
    const auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_discarded()) {
        return api_error::make(errc::invalid_json, "The request body is not valid JSON");
    }
    return parse_key_settings(parsed, now);
}

input_result<std::int64_t> parse_rotate_body(std::string_view body) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return default_grace_seconds;
    }
    const auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_discarded()) {
        return api_error::make(errc::invalid_json, "The request body is not valid JSON");
    }
    if (!parsed.is_object()) {
        return api_error::make(errc::validation_error, "The request body must be a JSON object");
    }
    std::int64_t grace = default_grace_seconds;
    for (const auto& [name, value] : parsed.items()) {
        if (name != "grace_period_seconds") {
            return invalid("Unknown field '" + name + "'", name);
        }
        if (value.is_null()) {
            continue;
        }
        const auto v = json_integer(value, 0, max_grace_seconds);
        if (!v) {
            return invalid("grace_period_seconds must be an integer in 0..604800",
                           "grace_period_seconds");
        }
        grace = *v;
    }
    return grace;
}

// --- query strings --------------------------------------------------------------------------

input_result<std::optional<std::string>> query_param(std::string_view target,
                                                     std::string_view name) {
    const auto q = target.find('?');
    std::optional<std::string> found;
    if (q == std::string_view::npos) {
        return found;
    }
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view part = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        const auto eq = part.find('=');
        const auto key = percent_decode(part.substr(0, eq));
        if (!key || *key != name) {
            continue;
        }
        const std::string param(name);
        if (found) {
            return invalid("Query parameter '" + param + "' is given more than once", param);
        }
        auto value =
            percent_decode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
        if (!value) {
            return invalid("Query parameter '" + param + "' is not properly percent-encoded",
                           param);
        }
        found = std::move(*value);
    }
    return found;
}

input_result<list_query> parse_list_query(std::string_view target) {
    list_query out;
    auto limit = query_param(target, "limit");
    if (!limit) {
        return limit.error();
    }
    if (*limit) {
        const auto n = parse_count(**limit);
        if (!n || *n < 1 || *n > max_page_limit) {
            return invalid("limit must be an integer in 1..1000", "limit");
        }
        out.limit = static_cast<std::uint32_t>(*n);
    }
    auto cursor = query_param(target, "cursor");
    if (!cursor) {
        return cursor.error();
    }
    if (*cursor) {
        // Cursors are opaque tokens of the previous page: letters, digits, '_' and '-'.
        const std::string& c = **cursor;
        const bool plausible = c.size() <= 1024 && std::all_of(c.begin(), c.end(), [](char ch) {
                                   return is_digit(ch) || (ch >= 'a' && ch <= 'z') ||
                                          (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '-';
                               });
        if (!plausible) {
            return invalid("cursor is not a cursor returned by this API", "cursor");
        }
        out.cursor = c;
    }
    return out;
}

input_result<usage_query> parse_usage_query(std::string_view target, std::int64_t now) {
    usage_query out;
    out.to = now + 1;  // the current second included
    out.from = now - default_usage_days * 86'400;

    auto from = query_param(target, "from");
    if (!from) {
        return from.error();
    }
    if (*from && !(*from)->empty()) {
        auto at = parse_rfc3339(**from);
        if (!at) {
            at = parse_date(**from);
        }
        if (!at) {
            return invalid("from must be an RFC 3339 time or a YYYY-MM-DD date", "from");
        }
        out.from = *at;
    }
    auto to = query_param(target, "to");
    if (!to) {
        return to.error();
    }
    if (*to && !(*to)->empty()) {
        auto at = parse_rfc3339(**to);
        if (!at) {
            // A date names the whole day.
            at = parse_date(**to);
            if (at) {
                *at += 86'400;
            }
        }
        if (!at) {
            return invalid("to must be an RFC 3339 time or a YYYY-MM-DD date", "to");
        }
        out.to = *at;
    }
    if (out.to <= out.from) {
        return invalid("to must be after from", "to");
    }
    auto key_id = query_param(target, "api_key_id");
    if (!key_id) {
        return key_id.error();
    }
    if (*key_id) {
        if ((*key_id)->empty() || (*key_id)->size() > 128) {
            return invalid("api_key_id must be a key id", "api_key_id");
        }
        out.filter.api_key_id = std::move(**key_id);
    }
    out.filter.from_ms = out.from * 1000;
    out.filter.to_ms = out.to * 1000;
    return out;
}

}  // namespace hadrian::api
