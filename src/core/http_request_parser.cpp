#include <algorithm>
#include <array>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <cstring>

#include "hadrian/core/hex.hpp"
#include "hadrian/core/http_request.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace hadrian::core {

namespace {

using http::error;

/// tchar (RFC 9110 §5.6.2): the bytes of a method, a field name and a list's tokens.
constexpr std::array<bool, 256> token_chars = [] {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) {
        t[c] = true;
    }
    for (int c = 'a'; c <= 'z'; ++c) {
        t[c] = true;
        t[c - 'a' + 'A'] = true;
    }
    for (const char c : std::string_view("!#$%&'*+-.^_`|~")) {
        t[static_cast<unsigned char>(c)] = true;
    }
    return t;
}();

bool token_char(char c) { return token_chars[static_cast<unsigned char>(c)]; }

/// A byte no field value holds: a control character but HTAB, or DEL.
bool value_stop_byte(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\t') || u == 0x7f;
}

/// The first byte from `p` that no field value holds (the CR that ends a well-formed one), or
/// `end`. Values are the long part of a head (keys, user agents): 16 bytes at a time.
const char* value_stop(const char* p, const char* end) {
#if defined(__SSE2__)
    const __m128i low = _mm_set1_epi8(0x1f);
    const __m128i tab = _mm_set1_epi8('\t');
    const __m128i del = _mm_set1_epi8(0x7f);
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        // Bytes up to 0x1f are those whose unsigned maximum with 0x1f is 0x1f.
        const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(v, low), low);
        const __m128i stop =
            _mm_or_si128(_mm_andnot_si128(_mm_cmpeq_epi8(v, tab), control), _mm_cmpeq_epi8(v, del));
        if (const int mask = _mm_movemask_epi8(stop); mask != 0) {
            return p + __builtin_ctz(static_cast<unsigned>(mask));
        }
        p += 16;
    }
#endif
    while (p < end && !value_stop_byte(*p)) {
        ++p;
    }
    return p;
}

bool ows(char c) { return c == ' ' || c == '\t'; }

/// The fields that say how a body is framed and whether the connection stays open.
bool framing(http::field f) {
    return f == http::field::content_length || f == http::field::transfer_encoding ||
           f == http::field::connection || f == http::field::proxy_connection;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && ows(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && ows(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

/// Calls `each` with every element of a comma-separated list (RFC 9110 §5.6.1), trimmed;
/// empty elements are skipped. False as soon as `each` returns false.
template <class Each>
bool each_element(std::string_view list, Each&& each) {
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        const std::string_view element = trim(list.substr(0, comma));
        if (!element.empty() && !each(element)) {
            return false;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        list.remove_prefix(comma + 1);
    }
    return true;
}

/// A decimal length of at most 18 digits (beyond any body limit), or nullopt.
std::optional<std::uint64_t> decimal(std::string_view s) {
    if (s.empty() || s.size() > 18) {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

/// The line at `p`, without its line break, once all of it (at most `max` bytes with the
/// break) is before `end`. nullopt with `ec` unset while it is not all there; with `ec` set
/// when it cannot be a line: `too_long`, or a line feed without its carriage return.
std::optional<std::string_view> framing_line(const char* p, const char* end, std::size_t max,
                                             error too_long, error_code& ec) {
    const std::size_t window = std::min<std::size_t>(static_cast<std::size_t>(end - p), max);
    const auto* lf = static_cast<const char*>(std::memchr(p, '\n', window));
    if (lf == nullptr) {
        if (window == max) {
            ec = too_long;
        }
        return std::nullopt;
    }
    if (lf == p || lf[-1] != '\r') {
        ec = error::bad_line_ending;
        return std::nullopt;
    }
    return std::string_view(p, static_cast<std::size_t>(lf - 1 - p));
}

/// The longest line a chunk's size may take, with its extensions.
constexpr std::size_t max_chunk_line = 4096;

/// The size of a chunk from its line (without the line break): hex digits, then nothing or
/// extensions after a `;`. nullopt when malformed, or above 2^60.
std::optional<std::uint64_t> chunk_size(std::string_view line, error_code& ec) {
    std::size_t i = 0;
    std::uint64_t size = 0;
    for (; i < line.size(); ++i) {
        const int d = core::hex_value(line[i]);
        if (d < 0) {
            break;
        }
        if (i == 15) {
            ec = error::bad_chunk;
            return std::nullopt;
        }
        size = size * 16 + static_cast<std::uint64_t>(d);
    }
    if (i == 0) {
        ec = error::bad_chunk;
        return std::nullopt;
    }
    while (i < line.size() && ows(line[i])) {
        ++i;
    }
    if (i == line.size()) {
        return size;
    }
    // Extensions: read past, not interpreted; no control characters.
    if (line[i] != ';' ||
        std::any_of(line.begin() + static_cast<std::ptrdiff_t>(i), line.end(), value_stop_byte)) {
        ec = error::bad_chunk_extension;
        return std::nullopt;
    }
    return size;
}

}  // namespace

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
    const std::size_t limit = std::min<std::size_t>(size, header_limit_);
    std::string_view seen(data, limit);
    if (searched_ > 0) {
        // A head that came in pieces: its end can only be in what is new, or across the seam.
        const std::size_t from = searched_ > 3 ? searched_ - 3 : 0;
        if (from >= seen.size() || seen.find("\r\n\r\n", from) == std::string_view::npos) {
            searched_ = std::max(searched_, seen.size());
            ec = size >= header_limit_ ? error::header_limit : error::need_more;
            return 0;
        }
    }
    // Empty lines before the request line are skipped (RFC 9112 §2.2).
    std::size_t start = 0;
    while (seen.size() - start >= 2 && seen[start] == '\r' && seen[start + 1] == '\n') {
        start += 2;
    }
    const std::string_view head = seen.substr(start);
    const std::size_t end = head.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        searched_ = seen.size();
        ec = size >= header_limit_ ? error::header_limit : error::need_more;
        return 0;
    }
    if (!parse_head(head.substr(0, end + 4), ec)) {
        return 0;
    }
    searched_ = 0;
    if (chunked_) {
        state_ = state::chunk_size;
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

    // Field lines, up to the blank line.
    while (*p != '\r') {
        if (ows(*p)) {
            ec = error::bad_value;  // a line folded onto the next (obs-fold)
            return false;
        }
        const char* const name = p;
        // Four bytes a step (names are a dozen bytes or more): the CR ending the head stops it.
        while (token_char(p[0]) && token_char(p[1]) && token_char(p[2]) && token_char(p[3])) {
            p += 4;
        }
        while (token_char(*p)) {
            ++p;
        }
        if (p == name || *p != ':') {
            ec = error::bad_field;
            return false;
        }
        const std::string_view name_text(name, static_cast<std::size_t>(p - name));
        ++p;
        while (ows(*p)) {
            ++p;
        }
        const char* const value = p;
        p = value_stop(p, end);
        if (p[0] != '\r' || p[1] != '\n') {
            ec = *p == '\n' ? error::bad_line_ending : error::bad_value;
            return false;
        }
        const char* value_end = p;
        while (value_end > value && ows(value_end[-1])) {
            --value_end;
        }
        p += 2;
        const std::string_view value_text(value, static_cast<std::size_t>(value_end - value));
        const http::field f = http::string_to_field(name_text);
        if (framing(f) && !framing_field(f, value_text, ec)) {
            return false;
        }
        out_.fields().add(f, name_text, value_text);
    }
    if (p[1] != '\n') {
        ec = error::bad_line_ending;
        return false;
    }
    return true;
}

bool http_request_parser::framing_field(http::field f, std::string_view value, error_code& ec) {
    switch (f) {
        case http::field::content_length: {
            if (chunked_) {
                ec = error::bad_content_length;  // with Transfer-Encoding: which frames it?
                return false;
            }
            // A list of equal lengths is one length (RFC 9110 §8.6); anything else is not.
            bool any = false;
            const bool read = each_element(value, [&](std::string_view element) {
                const auto n = decimal(element);
                if (!n) {
                    ec = error::bad_content_length;
                    return false;
                }
                if ((has_length_ || any) && *n != length_) {
                    ec = error::multiple_content_length;
                    return false;
                }
                length_ = *n;
                any = true;
                return true;
            });
            if (!read || !any) {
                if (!ec) {
                    ec = error::bad_content_length;
                }
                return false;
            }
            has_length_ = true;
            return true;
        }
        case http::field::transfer_encoding: {
            // Only a list that ends in chunked frames a request's body (RFC 9112 §6.3).
            std::string_view last;
            bool chunked_before = false;
            each_element(value, [&](std::string_view element) {
                chunked_before = chunked_before || beast::iequals(last, "chunked");
                last = element;
                return true;
            });
            if (has_length_ || chunked_ || chunked_before || !beast::iequals(last, "chunked")) {
                ec = error::bad_transfer_encoding;
                return false;
            }
            chunked_ = true;
            return true;
        }
        case http::field::connection:
        case http::field::proxy_connection:
            each_element(value, [&](std::string_view element) {
                close_ = close_ || beast::iequals(element, "close");
                keep_alive_ = keep_alive_ || beast::iequals(element, "keep-alive");
                return true;
            });
            return true;
        default:
            return true;
    }
}

std::size_t http_request_parser::put_chunked(const char* data, std::size_t size, error_code& ec) {
    const char* p = data;
    const char* const end = data + size;
    // Ends where a line is cut off: need_more when nothing was taken.
    const auto cut = [&] {
        if (p == data) {
            ec = error::need_more;
        }
        return static_cast<std::size_t>(p - data);
    };
    while (state_ != state::done) {
        switch (state_) {
            case state::chunk_size: {
                const auto line =
                    framing_line(p, end, max_chunk_line, error::bad_chunk_extension, ec);
                if (!line) {
                    return ec ? 0 : cut();
                }
                const auto n = chunk_size(*line, ec);
                if (!n) {
                    return 0;
                }
                if (*n > body_limit_ - std::min<std::uint64_t>(body_limit_, out_.body().size())) {
                    ec = error::body_limit;
                    return 0;
                }
                p = line->data() + line->size() + 2;
                remaining_ = *n;
                state_ = *n == 0 ? state::trailer : state::chunk_data;
                break;
            }
            case state::chunk_data: {
                if (p == end) {
                    return cut();
                }
                const std::size_t n =
                    static_cast<std::size_t>(std::min<std::uint64_t>(end - p, remaining_));
                if (!take(std::string_view(p, n), ec)) {
                    return 0;
                }
                p += n;
                remaining_ -= n;
                if (remaining_ == 0) {
                    state_ = state::chunk_end;
                }
                break;
            }
            case state::chunk_end:
                if (end - p < 2) {
                    return cut();
                }
                if (p[0] != '\r' || p[1] != '\n') {
                    ec = error::bad_chunk;
                    return 0;
                }
                p += 2;
                state_ = state::chunk_size;
                break;
            case state::trailer: {
                // Trailer fields are read past (the head's fields are the request's), within
                // the header limit, up to the blank line.
                const auto found = framing_line(p, end, header_limit_, error::header_limit, ec);
                if (!found) {
                    return ec ? 0 : cut();
                }
                const std::string_view line = *found;
                trailer_bytes_ += line.size() + 2;
                if (trailer_bytes_ > header_limit_) {
                    ec = error::header_limit;
                    return 0;
                }
                const std::size_t colon = line.find(':');
                if (!line.empty() &&
                    (colon == 0 || colon == std::string_view::npos ||
                     !std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(colon),
                                  token_char) ||
                     std::any_of(line.begin() + static_cast<std::ptrdiff_t>(colon), line.end(),
                                 value_stop_byte))) {
                    ec = error::bad_field;
                    return 0;
                }
                p = line.data() + line.size() + 2;
                if (line.empty()) {
                    state_ = state::done;
                }
                break;
            }
            default:
                return static_cast<std::size_t>(p - data);
        }
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
