#include "upstream/response_parser.hpp"

#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <cstring>
#include <string_view>

namespace hadrian::upstream {

using http::error;

std::size_t response_parser::put(asio::const_buffer input, error_code& ec) {
    ec = {};
    const auto* data = static_cast<const char*>(input.data());
    const std::size_t size = input.size();
    got_some_ = got_some_ || size > 0;
    switch (state_) {
        case state::head:
            return put_head(data, size, ec);
        case state::length: {
            if (size == 0) {
                ec = error::need_more;
                return 0;
            }
            const std::size_t n = to_window(
                data, static_cast<std::size_t>(std::min<std::uint64_t>(size, remaining_)), ec);
            remaining_ -= n;
            if (remaining_ == 0) {
                state_ = state::done;
            }
            return n;
        }
        case state::to_eof:
            if (size == 0) {
                ec = error::need_more;
                return 0;
            }
            return to_window(data, size, ec);
        case state::chunked:
            return put_chunked(data, size, ec);
        case state::done:
            return 0;
    }
    return 0;
}

std::size_t response_parser::to_window(const char* data, std::size_t n, error_code& ec) noexcept {
    const std::size_t k = std::min(left_, n);
    if (k > 0) {
        std::memcpy(window_, data, k);
        window_ += k;
        left_ -= k;
    }
    if (k < n) {
        ec = error::need_buffer;  // the rest waits for the next window
    }
    return k;
}

std::size_t response_parser::put_head(const char* data, std::size_t size, error_code& ec) {
    // Interim answers (100 Continue, 103 Early Hints) are read past: the loop goes on to the
    // head after them while their bytes are there.
    std::size_t taken = 0;
    for (;;) {
        const std::size_t have = size - taken;
        const std::string_view seen(data + taken, std::min<std::size_t>(have, header_limit_));
        const std::size_t end = core::http_framing::head_end(seen, searched_);
        if (end == std::string_view::npos) {
            ec = have >= header_limit_ ? error::header_limit : error::need_more;
            return taken;
        }
        if (!parse_head(seen.substr(0, end + 4), ec)) {
            return 0;
        }
        taken += end + 4;
        if (status_ < 100 || status_ >= 200 || status_ == 101) {
            break;
        }
        fields_.clear();
        frame_ = {};
    }
    state_ = body_state();
    if (state_ == state::length) {
        remaining_ = frame_.length;
    } else if (state_ == state::chunked) {
        chunks_ = {};
    }
    return taken;
}

response_parser::state response_parser::body_state() const noexcept {
    // RFC 9112 §6.3: no body for HEAD, 1xx, 204 and 304 whatever the fields say; then
    // chunked, an announced length, or the rest of the connection.
    if (head_request_ || status_ < 200 || status_ == 204 || status_ == 304) {
        return state::done;
    }
    if (frame_.chunked) {
        return state::chunked;
    }
    if (frame_.has_length) {
        return frame_.length == 0 ? state::done : state::length;
    }
    return state::to_eof;
}

bool response_parser::parse_head(std::string_view head, error_code& ec) {
    // The status line: HTTP/1.x SP 3DIGIT SP reason CRLF, the reason possibly empty (and
    // its space then left out by some servers). `head` ends with CRLF CRLF, so every scan
    // below stops inside it.
    const char* p = head.data();
    const char* const end = head.data() + head.size();
    if (end - p < 14 || std::memcmp(p, "HTTP/1.", 7) != 0 || p[7] < '0' || p[7] > '9' ||
        p[8] != ' ') {
        ec = error::bad_version;
        return false;
    }
    // A later minor version is read as the highest one known (RFC 9110 §2.5).
    version_ = p[7] == '0' ? 10 : 11;
    p += 9;
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (!digit(p[0]) || !digit(p[1]) || !digit(p[2]) || p[0] == '0' ||
        (p[3] != ' ' && p[3] != '\r')) {
        ec = error::bad_status;
        return false;
    }
    status_ = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
    p += 3;
    if (*p == ' ') {
        p = core::http_framing::value_stop(p + 1, end);
    }
    if (p[0] != '\r' || p[1] != '\n') {
        ec = *p == '\n' ? error::bad_line_ending : error::bad_reason;
        return false;
    }
    p += 2;
    return core::http_framing::parse_fields(p, end, false, fields_, frame_, ec);
}

std::size_t response_parser::put_chunked(const char* data, std::size_t size, error_code& ec) {
    const char* p = data;
    const char* const end = data + size;
    while (!chunks_.done()) {
        const std::size_t n = chunks_.data(p, end, header_limit_, ec);
        if (ec || n == 0) {
            break;
        }
        const std::size_t k = to_window(p, n, ec);
        p += k;
        chunks_.took(k);
        if (ec) {
            break;  // the window is full
        }
    }
    if (ec && ec != error::need_buffer) {
        return 0;
    }
    if (chunks_.done()) {
        state_ = state::done;
    } else if (p == data && !ec) {
        ec = error::need_more;
    }
    return static_cast<std::size_t>(p - data);
}

void response_parser::put_eof(error_code& ec) noexcept {
    ec = {};
    if (state_ == state::to_eof) {
        state_ = state::done;
    } else if (state_ != state::done) {
        ec = error::partial_message;
    }
}

bool response_parser::keep_alive() const noexcept {
    if (frame_.close || status_ == 101 ||
        (state_ != state::head && body_state() == state::to_eof)) {
        return false;
    }
    return version_ >= 11 || frame_.keep_alive;
}

std::optional<std::uint64_t> response_parser::content_length() const noexcept {
    if (state_ != state::head && body_state() != state::done && frame_.has_length) {
        return frame_.length;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> response_parser::content_length_remaining() const noexcept {
    if (state_ == state::length) {
        return remaining_;
    }
    if (state_ == state::done && frame_.has_length) {
        return 0;
    }
    return std::nullopt;
}

}  // namespace hadrian::upstream
