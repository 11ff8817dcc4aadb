// Absolute http(s) URL parsing for upstream requests: strict on purpose, since the URLs come
// from configuration and anything unusual (userinfo, fragments, odd schemes) is a mistake.
#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <charconv>

#include "hadrian/upstream/client.hpp"

namespace hadrian::upstream {
namespace {

error_code invalid() { return make_error_code(core::errc::validation_error); }

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) {
            return false;
        }
    }
    return true;
}

bool is_host_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || c == '-' || c == '.' || c == '_';
}

// Path and query: printable ASCII without spaces, so nothing can break the request line.
bool is_target_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace

result<url> url::parse(std::string_view text) {
    url out;
    if (starts_with_nocase(text, "https://")) {
        out.tls = true;
        text.remove_prefix(8);
    } else if (starts_with_nocase(text, "http://")) {
        text.remove_prefix(7);
    } else {
        return invalid();
    }
    if (text.find('#') != std::string_view::npos) {
        return invalid();
    }

    const std::size_t authority_end = text.find_first_of("/?");
    std::string_view authority = text.substr(0, authority_end);
    const std::string_view rest =
        authority_end == std::string_view::npos ? std::string_view{} : text.substr(authority_end);
    if (authority.find('@') != std::string_view::npos) {
        return invalid();
    }

    std::string_view host;
    std::string_view port_text;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            return invalid();
        }
        host = authority.substr(1, close - 1);
        error_code ec;
        asio::ip::make_address_v6(std::string(host), ec);
        if (ec) {
            return invalid();
        }
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                return invalid();
            }
            has_port = true;
            port_text = after.substr(1);
        }
    } else {
        const std::size_t colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            has_port = true;
            port_text = authority.substr(colon + 1);
        }
        if (host.empty()) {
            return invalid();
        }
        for (char c : host) {
            if (!is_host_char(c)) {
                return invalid();
            }
        }
    }

    out.port = out.tls ? 443 : 80;
    if (has_port) {
        unsigned value = 0;
        const char* first = port_text.data();
        const char* last = first + port_text.size();
        const auto [ptr, ec] = std::from_chars(first, last, value);
        if (port_text.empty() || port_text.size() > 5 || ec != std::errc{} || ptr != last ||
            value == 0 || value > 65535) {
            return invalid();
        }
        out.port = static_cast<std::uint16_t>(value);
    }
    out.host = to_lower(host);

    for (char c : rest) {
        if (!is_target_char(c)) {
            return invalid();
        }
    }
    // Appended piece by piece: a literal assigned or added draws GCC 12's false
    // -Wstringop-overflow here.
    if (rest.empty() || rest.front() == '?') {
        out.target.push_back('/');
        out.target.append(rest);
    } else {
        out.target = std::string(rest);
    }
    return out;
}

std::string url::host_header() const {
    std::string out;
    if (host.find(':') != std::string::npos) {
        out.append(1, '[').append(host).append(1, ']');
    } else {
        out = host;
    }
    const std::uint16_t default_port = tls ? 443 : 80;
    if (port != default_port) {
        out.push_back(':');
        out += std::to_string(port);
    }
    return out;
}

std::string encode_path_segment(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        if (unreserved) {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0x0f];
        }
    }
    return out;
}

}  // namespace hadrian::upstream
