// `[server]`, `[server.tls]` and `[server.cors]`.
#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>
#include <limits>

#include "config/sections.hpp"

namespace hadrian::config::detail {
namespace {

constexpr std::int64_t kib = 1024;
constexpr std::int64_t mib = 1024 * kib;
constexpr std::int64_t gib = 1024 * mib;
constexpr std::int64_t u32_max = std::numeric_limits<std::uint32_t>::max();

/// An IPv4/IPv6 address, optionally with a `/prefix` no longer than the address.
bool valid_cidr(const std::string& text) {
    const auto slash = text.find('/');
    const std::string addr = text.substr(0, slash);
    unsigned char buf[16];
    int bits = 0;
    if (inet_pton(AF_INET, addr.c_str(), buf) == 1) {
        bits = 32;
    } else if (inet_pton(AF_INET6, addr.c_str(), buf) == 1) {
        bits = 128;
    } else {
        return false;
    }
    if (slash == std::string::npos) {
        return true;
    }
    const std::string prefix = text.substr(slash + 1);
    if (prefix.empty() || prefix.size() > 3 ||
        !std::all_of(prefix.begin(), prefix.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
    }
    return std::stoi(prefix) <= bits;
}

/// An HTTP token (RFC 9110 `tchar`s): header and method names.
bool is_token(std::string_view s) {
    constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
    return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               extra.find(c) != std::string_view::npos;
    });
}

/// `*` or `scheme://host[:port]` with no path.
bool valid_origin(std::string_view s) {
    if (s == "*") {
        return true;
    }
    for (std::string_view scheme : {"http://", "https://"}) {
        if (s.substr(0, scheme.size()) == scheme) {
            const std::string_view rest = s.substr(scheme.size());
            return !rest.empty() && rest.find('/') == std::string_view::npos;
        }
    }
    return false;
}

void check_each(table_reader& r, std::string_view key, const std::vector<std::string>& values,
                bool (*valid)(std::string_view), std::string_view what) {
    const auto* arr = r.table().get(key)->as_array();
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!valid(values[i])) {
            fail_value(r.source(), *arr->get(i), index_path(r.path_of(key), i),
                       "expected " + std::string(what) + ", got \"" + values[i] + "\"");
        }
    }
}

void parse_tls(table_reader& r, tls_config& out) {
    if (!r.read_nonempty("cert_path", out.cert_path)) {
        r.fail_missing("cert_path", "path of the PEM certificate chain");
    }
    if (!r.read_nonempty("key_path", out.key_path)) {
        r.fail_missing("key_path", "path of the PEM private key");
    }
    r.finish();
}

void parse_cors(table_reader& r, cors_config& out) {
    r.read("enabled", out.enabled);
    if (r.read("allowed_origins", out.allowed_origins)) {
        check_each(r, "allowed_origins", out.allowed_origins, valid_origin,
                   "\"*\" or an origin like \"https://app.example.com\"");
    }
    if (r.read("allowed_methods", out.allowed_methods)) {
        check_each(r, "allowed_methods", out.allowed_methods, is_token, "an HTTP method");
    }
    if (r.read("allowed_headers", out.allowed_headers)) {
        check_each(
            r, "allowed_headers", out.allowed_headers,
            [](std::string_view s) { return s == "*" || is_token(s); }, "a header name or \"*\"");
    }
    r.read("max_age", out.max_age);
    if (out.enabled && out.allowed_origins.empty()) {
        r.fail_missing("allowed_origins", "a non-empty list when CORS is enabled");
    }
    r.finish();
}

}  // namespace

void parse_server(table_reader& r, server_config& out) {
    r.read_nonempty("host", out.host);
    r.read("port", out.port, 1, 65535);
    r.read("body_limit_bytes", out.body_limit_bytes, kib, gib);
    r.read("timeout_secs", out.timeout_secs, 1, u32_max);
    r.read("streaming_idle_timeout_secs", out.streaming_idle_timeout_secs, 1, u32_max);
    r.read("header_read_timeout_secs", out.header_read_timeout_secs, 1, u32_max);
    r.read("keepalive_idle_secs", out.keepalive_idle_secs, 1, u32_max);
    r.read("shutdown_timeout_secs", out.shutdown_timeout_secs, 1, u32_max);
    r.read("max_header_bytes", out.max_header_bytes, kib, mib);
    r.read("threads", out.threads, 0, 256);
    if (r.read("trusted_proxies", out.trusted_proxies)) {
        check_each(
            r, "trusted_proxies", out.trusted_proxies,
            [](std::string_view s) { return valid_cidr(std::string(s)); },
            "an IP address or CIDR like \"10.0.0.0/8\"");
    }
    if (auto tls = r.sub("tls")) {
        parse_tls(*tls, out.tls.emplace());
    }
    if (auto cors = r.sub("cors")) {
        parse_cors(*cors, out.cors);
    }
    r.finish();
}

}  // namespace hadrian::config::detail
