#include "sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <map>

#include "hadrian/core/hex.hpp"

namespace hadrian::providers::sigv4 {

namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";

std::string to_hex(const unsigned char* data, std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out += digits[data[i] >> 4];
        out += digits[data[i] & 0x0f];
    }
    return out;
}

std::string to_hex(std::string_view raw) {
    return to_hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_space(char c) { return c == ' ' || c == '\t'; }

/// Trimmed, with runs of spaces collapsed to one (AWS's header value rule).
std::string canonical_value(std::string_view v) {
    std::string out;
    bool pending_space = false;
    for (char c : v) {
        if (is_space(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) {
            out += ' ';
            pending_space = false;
        }
        out += c;
    }
    return out;
}

std::string uri_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            const int hi = core::hex_value(s[i + 1]);
            const int lo = core::hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

std::string canonical_query(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> params;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (item.empty()) {
            continue;
        }
        const auto eq = item.find('=');
        const std::string_view key = item.substr(0, eq);
        const std::string_view value =
            eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
        params.emplace_back(uri_encode(uri_decode(key), false),
                            uri_encode(uri_decode(value), false));
    }
    std::sort(params.begin(), params.end());
    std::string out;
    for (const auto& [k, v] : params) {
        if (!out.empty()) {
            out += '&';
        }
        out += k;
        out += '=';
        out += v;
    }
    return out;
}

/// Lowercase name → values in order of appearance, joined with ','.
std::map<std::string, std::string> canonical_headers(const header_list& headers) {
    std::map<std::string, std::string> out;
    for (const auto& [name, value] : headers) {
        std::string key;
        key.reserve(name.size());
        for (char c : name) {
            key += lower(c);
        }
        auto [it, fresh] = out.try_emplace(key);
        if (!fresh) {
            it->second += ',';
        }
        it->second += canonical_value(value);
    }
    return out;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr);
    return to_hex(md.data(), len);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), md.data(), &len);
    return std::string(reinterpret_cast<const char*>(md.data()), len);
}

std::string amz_date(std::chrono::system_clock::time_point t) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    std::array<char, 32> buf{};
    const auto n = std::strftime(buf.data(), buf.size(), "%Y%m%dT%H%M%SZ", &tm);
    return std::string(buf.data(), n);
}

std::string uri_encode(std::string_view text, bool keep_slash) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        if (unreserved || (keep_slash && c == '/')) {
            out += ch;
        } else {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 0x0f];
        }
    }
    return out;
}

std::string signed_header_names(const header_list& headers) {
    std::string out;
    for (const auto& [name, _] : canonical_headers(headers)) {
        if (!out.empty()) {
            out += ';';
        }
        out += name;
    }
    return out;
}

std::string canonical_request(const request& req) {
    std::string out;
    out += req.method;
    out += '\n';
    out += req.path.empty() ? std::string("/") : uri_encode(req.path, true);
    out += '\n';
    out += canonical_query(req.query);
    out += '\n';
    for (const auto& [name, value] : canonical_headers(req.headers)) {
        out += name;
        out += ':';
        out += value;
        out += '\n';
    }
    out += '\n';
    out += signed_header_names(req.headers);
    out += '\n';
    out += sha256_hex(req.payload);
    return out;
}

std::string sign(request& req, const credentials& creds, std::string_view region,
                 std::string_view service, std::string_view date) {
    req.headers.emplace_back("X-Amz-Date", std::string(date));
    if (!creds.session_token.empty()) {
        req.headers.emplace_back("X-Amz-Security-Token", creds.session_token);
    }
    const std::string day(date.substr(0, 8));
    const std::string scope =
        day + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
    std::string to_sign(algorithm);
    to_sign += '\n';
    to_sign += date;
    to_sign += '\n';
    to_sign += scope;
    to_sign += '\n';
    to_sign += sha256_hex(canonical_request(req));

    std::string key = hmac_sha256("AWS4" + creds.secret_access_key, day);
    key = hmac_sha256(key, region);
    key = hmac_sha256(key, service);
    key = hmac_sha256(key, "aws4_request");
    const std::string signature = to_hex(hmac_sha256(key, to_sign));

    // Appended in place (a chain of `+` trips GCC 12's -Warray-bounds at -O3).
    std::string authorization(algorithm);
    authorization += " Credential=";
    authorization += creds.access_key_id;
    authorization += '/';
    authorization += scope;
    authorization += ", SignedHeaders=";
    authorization += signed_header_names(req.headers);
    authorization += ", Signature=";
    authorization += signature;
    return authorization;
}

}  // namespace hadrian::providers::sigv4
