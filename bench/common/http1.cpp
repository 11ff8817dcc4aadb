#include "http1.hpp"

#include <charconv>

namespace bench::http1 {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

bool contains_token(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        if (iequals(trim(list.substr(0, comma)), token)) {
            return true;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        list.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

std::string_view head::field(std::string_view name) const {
    for (const auto& [k, v] : fields) {
        if (iequals(k, name)) {
            return v;
        }
    }
    return {};
}

parse_status parse_head(std::string_view buf, bool is_request, head& out, std::size_t& used) {
    const auto end = buf.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        return buf.size() > 1024 * 1024 ? parse_status::bad : parse_status::incomplete;
    }
    used = end + 4;
    out = head{};
    std::string_view rest = buf.substr(0, end + 2);
    const auto first_end = rest.find("\r\n");
    std::string_view first = rest.substr(0, first_end);
    rest.remove_prefix(first_end + 2);

    bool http10 = false;
    if (is_request) {
        const auto sp1 = first.find(' ');
        const auto sp2 = first.rfind(' ');
        if (sp1 == std::string_view::npos || sp2 == sp1) {
            return parse_status::bad;
        }
        out.method = first.substr(0, sp1);
        out.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
        http10 = first.substr(sp2 + 1) == "HTTP/1.0";
    } else {
        // HTTP/1.1 200 OK
        if (first.size() < 12 || !first.starts_with("HTTP/1.")) {
            return parse_status::bad;
        }
        http10 = first[7] == '0';
        const auto code = first.substr(9, 3);
        if (std::from_chars(code.data(), code.data() + 3, out.status).ec != std::errc()) {
            return parse_status::bad;
        }
    }
    out.keep_alive = !http10;

    while (!rest.empty()) {
        const auto nl = rest.find("\r\n");
        std::string_view line = rest.substr(0, nl);
        rest.remove_prefix(nl + 2);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            return parse_status::bad;
        }
        std::string_view name = line.substr(0, colon);
        std::string_view value = trim(line.substr(colon + 1));
        if (iequals(name, "content-length")) {
            std::int64_t n = 0;
            if (std::from_chars(value.data(), value.data() + value.size(), n).ec != std::errc() ||
                n < 0) {
                return parse_status::bad;
            }
            out.content_length = n;
        } else if (iequals(name, "transfer-encoding")) {
            out.chunked = contains_token(value, "chunked");
        } else if (iequals(name, "connection")) {
            if (contains_token(value, "close")) {
                out.keep_alive = false;
            } else if (contains_token(value, "keep-alive")) {
                out.keep_alive = true;
            }
        }
        out.fields.emplace_back(name, value);
    }
    return parse_status::done;
}

void body_reader::reset(const head& h, bool is_request) {
    line_.clear();
    left_ = 0;
    if (h.chunked) {
        state_ = state::chunk_size;
    } else if (h.content_length > 0) {
        left_ = static_cast<std::uint64_t>(h.content_length);
        state_ = state::length;
    } else if (h.content_length == 0 || is_request || h.status == 204 || h.status == 304 ||
               h.status / 100 == 1) {
        state_ = state::done;
    } else {
        state_ = state::until_close;
    }
}

}  // namespace bench::http1
