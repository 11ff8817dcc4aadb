#include "hadrian/core/http_framing.hpp"

#include <algorithm>
#include <array>
#include <boost/beast/http/error.hpp>
#include <cstring>
#include <optional>

#include "hadrian/core/ascii_case.hpp"
#include "hadrian/core/hex.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace hadrian::core::http_framing {

namespace {

using http::error;

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

bool ows(char c) { return c == ' ' || c == '\t'; }

/// The fields that say how a body is framed and whether the connection stays open.
enum class framing_name : std::uint8_t { none, content_length, transfer_encoding, connection };

framing_name framing_field(std::string_view name) {
    // By length first: most names are none of them.
    switch (name.size()) {
        case 10:
            return core::iequals(name, "connection") ? framing_name::connection
                                                     : framing_name::none;
        case 14:
            return core::iequals(name, "content-length") ? framing_name::content_length
                                                         : framing_name::none;
        case 16:
            return core::iequals(name, "proxy-connection") ? framing_name::connection
                                                           : framing_name::none;
        case 17:
            return core::iequals(name, "transfer-encoding") ? framing_name::transfer_encoding
                                                            : framing_name::none;
        default:
            return framing_name::none;
    }
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

bool read_length(std::string_view value, framing& frame, error_code& ec) {
    if (frame.chunked || frame.coded) {
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
        if ((frame.has_length || any) && *n != frame.length) {
            ec = error::multiple_content_length;
            return false;
        }
        frame.length = *n;
        any = true;
        return true;
    });
    if (!read || !any) {
        if (!ec) {
            ec = error::bad_content_length;
        }
        return false;
    }
    frame.has_length = true;
    return true;
}

bool read_coding(std::string_view value, bool request, framing& frame, error_code& ec) {
    // chunked comes last, once (RFC 9112 §6.3). A request's list must end in it; a
    // response's that does not has a body that ends with the connection.
    std::string_view last;
    bool chunked_before = false;
    each_element(value, [&](std::string_view element) {
        chunked_before = chunked_before || core::iequals(last, "chunked");
        last = element;
        return true;
    });
    const bool chunked = core::iequals(last, "chunked");
    if (frame.has_length || frame.chunked || chunked_before || (request && !chunked)) {
        ec = error::bad_transfer_encoding;
        return false;
    }
    frame.chunked = chunked;
    frame.coded = !chunked;
    return true;
}

bool read_framing(framing_name f, std::string_view value, bool request, framing& frame,
                  error_code& ec) {
    switch (f) {
        case framing_name::content_length:
            return read_length(value, frame, ec);
        case framing_name::transfer_encoding:
            return read_coding(value, request, frame, ec);
        default:  // Connection, Proxy-Connection
            each_element(value, [&](std::string_view element) {
                frame.close = frame.close || core::iequals(element, "close");
                frame.keep_alive = frame.keep_alive || core::iequals(element, "keep-alive");
                return true;
            });
            return true;
    }
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

/// A trailer field line (or the blank line that ends the trailer) is well formed.
bool trailer_line(std::string_view line) {
    if (line.empty()) {
        return true;
    }
    const std::size_t colon = line.find(':');
    return colon != 0 && colon != std::string_view::npos &&
           std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(colon),
                       token_char) &&
           std::none_of(line.begin() + static_cast<std::ptrdiff_t>(colon), line.end(),
                        value_stop_byte);
}

}  // namespace

bool token_char(char c) noexcept { return token_chars[static_cast<unsigned char>(c)]; }

bool value_stop_byte(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\t') || u == 0x7f;
}

const char* value_stop(const char* p, const char* end) noexcept {
    // Values are the long part of a head (keys, user agents): 16 bytes at a time.
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

std::size_t head_end(std::string_view bytes, std::size_t& searched) noexcept {
    const std::size_t from = searched > 3 ? searched - 3 : 0;
    const std::size_t end =
        from < bytes.size() ? bytes.find("\r\n\r\n", from) : std::string_view::npos;
    searched = end == std::string_view::npos ? std::max(searched, bytes.size()) : 0;
    return end;
}

bool parse_fields(const char*& p, const char* end, bool request, header_fields& fields,
                  framing& frame, error_code& ec) {
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
        const framing_name f = framing_field(name_text);
        if (f != framing_name::none && !read_framing(f, value_text, request, frame, ec)) {
            return false;
        }
        fields.add(name_text, value_text);
    }
    if (p[1] != '\n') {
        ec = error::bad_line_ending;
        return false;
    }
    p += 2;
    return true;
}

std::size_t chunked_decoder::data(const char*& p, const char* end, std::size_t header_limit,
                                  error_code& ec) {
    for (;;) {
        switch (state_) {
            case state::size: {
                const auto line =
                    framing_line(p, end, max_chunk_line, error::bad_chunk_extension, ec);
                if (!line) {
                    return 0;
                }
                const auto n = chunk_size(*line, ec);
                if (!n) {
                    return 0;
                }
                p = line->data() + line->size() + 2;
                remaining_ = *n;
                state_ = *n == 0 ? state::trailer : state::data;
                break;
            }
            case state::data:
                return static_cast<std::size_t>(
                    std::min<std::uint64_t>(static_cast<std::uint64_t>(end - p), remaining_));
            case state::data_end:
                if (end - p < 2) {
                    return 0;
                }
                if (p[0] != '\r' || p[1] != '\n') {
                    ec = error::bad_chunk;
                    return 0;
                }
                p += 2;
                state_ = state::size;
                break;
            case state::trailer: {
                // Trailer fields are read past (the head's fields are the message's), within
                // the header limit, up to the blank line.
                const auto found = framing_line(p, end, header_limit, error::header_limit, ec);
                if (!found) {
                    return 0;
                }
                trailer_bytes_ += found->size() + 2;
                if (trailer_bytes_ > header_limit) {
                    ec = error::header_limit;
                    return 0;
                }
                if (!trailer_line(*found)) {
                    ec = error::bad_field;
                    return 0;
                }
                p = found->data() + found->size() + 2;
                if (found->empty()) {
                    state_ = state::done;
                }
                break;
            }
            case state::done:
                return 0;
        }
    }
}

void chunked_decoder::took(std::size_t n) noexcept {
    remaining_ -= n;
    if (remaining_ == 0 && state_ == state::data) {
        state_ = state::data_end;
    }
}

}  // namespace hadrian::core::http_framing
