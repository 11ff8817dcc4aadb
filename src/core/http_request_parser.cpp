#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <cstring>

#include "hadrian/core/http_framing.hpp"
#include "hadrian/core/http_request.hpp"

namespace hadrian::core {

using http::error;
using http_framing::token_char;

std::size_t http_request_parser::put(asio::const_buffer input, error_code& ec) {
    ec = {};
    const auto* data = static_cast<const char*>(input.data());
    const std::size_t size = input.size();
    got_some_ = got_some_ || size > 0;
    switch (state_) {
        case state::head:
            return put_head(data, size, ec);
        case state::body: {
            if (size == 0) {
                ec = error::need_more;
                return 0;
            }
            const std::size_t n =
                static_cast<std::size_t>(std::min<std::uint64_t>(size, remaining_));
            if (!take(std::string_view(data, n), ec)) {
                return 0;
            }
            remaining_ -= n;
            if (remaining_ == 0) {
                state_ = state::done;
            }
            return n;
        }
        case state::done:
            return 0;
        default:
            return put_chunked(data, size, ec);
    }
}

std::size_t http_request_parser::put_head(const char* data, std::size_t size, error_code& ec) {
    const std::string_view seen(data, std::min<std::size_t>(size, header_limit_));
    // Empty lines before the request line are skipped (RFC 9112 §2.2).
    std::size_t start = 0;
    while (seen.size() - start >= 2 && seen[start] == '\r' && seen[start + 1] == '\n') {
        start += 2;
    }
    const std::string_view head = seen.substr(start);
    const std::size_t end = http_framing::head_end(head, searched_);
    if (end == std::string_view::npos) {
        ec = size >= header_limit_ ? error::header_limit : error::need_more;
        return 0;
    }
    if (!parse_head(head.substr(0, end + 4), ec)) {
        return 0;
    }
    if (chunked_) {
        chunks_ = {};
        state_ = state::chunked;
    } else if (has_length_ && length_ > 0) {
        if (length_ > body_limit_) {
            ec = error::body_limit;
            return 0;
        }
        out_.body().reserve(static_cast<std::size_t>(length_));
        remaining_ = length_;
        state_ = state::body;
    } else {
        state_ = state::done;
    }
    return start + end + 4;
}

bool http_request_parser::parse_head(std::string_view head, error_code& ec) {
    // The request line: method SP target SP HTTP/1.x CRLF. `head` ends with CRLF CRLF, so
    // every scan below stops inside it.
    const char* p = head.data();
    const char* const end = head.data() + head.size();
    const char* const method = p;
    while (token_char(*p)) {
        ++p;
    }
    if (p == method || *p != ' ') {
        ec = error::bad_method;
        return false;
    }
    const std::string_view method_text(method, static_cast<std::size_t>(p - method));
    const char* const target = ++p;
    while (static_cast<unsigned char>(*p) > ' ' && *p != 0x7f) {
        ++p;
    }
    if (p == target || *p != ' ') {
        ec = error::bad_target;
        return false;
    }
    const std::string_view target_text(target, static_cast<std::size_t>(p - target));
    ++p;
    if (end - p < 10 || std::memcmp(p, "HTTP/1.", 7) != 0 || p[7] < '0' || p[7] > '9' ||
        p[8] != '\r' || p[9] != '\n') {
        ec = error::bad_version;
        return false;
    }
    // A later minor version is read as the highest one known (RFC 9110 §2.5).
    const unsigned version = p[7] == '0' ? 10 : 11;
    p += 10;
    out_.start(http::string_to_verb(method_text), method_text, target_text, version);

    http_framing::framing frame;
    if (!http_framing::parse_fields(p, end, true, out_.fields(), frame, ec)) {
        return false;
    }
    close_ = frame.close;
    keep_alive_ = frame.keep_alive;
    chunked_ = frame.chunked;
    has_length_ = frame.has_length;
    length_ = frame.length;
    return true;
}

std::size_t http_request_parser::put_chunked(const char* data, std::size_t size, error_code& ec) {
    const char* p = data;
    const char* const end = data + size;
    while (!chunks_.done()) {
        const std::size_t n = chunks_.data(p, end, header_limit_, ec);
        if (ec) {
            return 0;
        }
        // A chunk larger than the body's room is refused before its bytes come.
        if (chunks_.chunk_left() >
            body_limit_ - std::min<std::uint64_t>(body_limit_, out_.body().size())) {
            ec = error::body_limit;
            return 0;
        }
        if (n == 0) {
            break;
        }
        if (!take(std::string_view(p, n), ec)) {
            return 0;
        }
        p += n;
        chunks_.took(n);
    }
    if (chunks_.done()) {
        state_ = state::done;
    } else if (p == data) {
        ec = error::need_more;
    }
    return static_cast<std::size_t>(p - data);
}

bool http_request_parser::take(std::string_view bytes, error_code& ec) {
    std::string& body = out_.body();
    if (bytes.size() > body_limit_ - std::min<std::uint64_t>(body_limit_, body.size())) {
        ec = error::body_limit;
        return false;
    }
    body.append(bytes);
    return true;
}

bool http_request_parser::keep_alive() const noexcept {
    if (close_) {
        return false;
    }
    return out_.version() >= 11 || keep_alive_;
}

std::optional<std::uint64_t> http_request_parser::content_length() const noexcept {
    if (has_length_ && state_ != state::head) {
        return length_;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> http_request_parser::content_length_remaining() const noexcept {
    if (!has_length_ || state_ == state::head) {
        return std::nullopt;
    }
    return state_ == state::body ? remaining_ : 0;
}

}  // namespace hadrian::core
