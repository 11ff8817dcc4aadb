// What the request and the response parsers share (RFC 9112): the field lines of a head, the
// fields that frame a body, and a chunked body's framing.
#pragma once

#include <boost/beast/http/field.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hadrian/core/asio.hpp"
#include "hadrian/core/header_fields.hpp"

namespace hadrian::core::http_framing {

/// tchar (RFC 9110 §5.6.2): the bytes of a method, a field name and a list's tokens.
bool token_char(char c) noexcept;
/// A byte no field value (nor reason phrase) holds: a control character but HTAB, or DEL.
bool value_stop_byte(char c) noexcept;
/// The first byte from `p` that no field value holds (the CR that ends a well-formed one), or
/// `end`.
const char* value_stop(const char* p, const char* end) noexcept;

/// Where the blank line ending a head starts in `bytes` (the offset of its CR LF CR LF), or
/// npos. `searched` carries, between calls over the same bytes as more of them arrive, how
/// many were searched in vain: the next search starts just before them (the end may straddle
/// the seam). It is 0 again once the end is found.
std::size_t head_end(std::string_view bytes, std::size_t& searched) noexcept;

/// What the framing fields of a head said.
struct framing {
    bool close = false;       // Connection: close
    bool keep_alive = false;  // Connection: keep-alive
    bool chunked = false;     // Transfer-Encoding ending in chunked
    bool coded = false;       // a Transfer-Encoding that does not end in chunked (responses)
    bool has_length = false;
    std::uint64_t length = 0;
};

/// The field lines of a head from `p` (after its start line), up to and through the blank
/// line, into `fields` and `frame`; `p` is left after the blank line. The head must end with
/// CRLF CRLF at or before `end`, so no scan runs past it. A request's Transfer-Encoding must
/// end in chunked; a response's may not (its body then ends with the connection). False with
/// `ec` set (Beast's http::error codes) for a malformed head.
bool parse_fields(const char*& p, const char* end, bool request, header_fields& fields,
                  framing& frame, error_code& ec);

/// A chunked body's framing: the size lines, the line breaks after the data, the trailer
/// fields (read past, within the header limit). The data itself is the caller's to take.
class chunked_decoder {
public:
    /// Reads framing from `p` on until chunk data starts at `p`, the body ends, or the bytes
    /// before `end` are not enough for the next line; returns how many data bytes are at `p`
    /// (of the current chunk, before `end`): 0 when the body ended (done()) or more bytes are
    /// needed. `ec` is set when the framing is malformed, or a trailer passes `header_limit`.
    std::size_t data(const char*& p, const char* end, std::size_t header_limit, error_code& ec);
    /// `n` bytes of the data that data() gave were taken.
    void took(std::size_t n) noexcept;
    bool done() const noexcept { return state_ == state::done; }
    /// The bytes of the current chunk not taken yet (its announced size, once its line is read).
    std::uint64_t chunk_left() const noexcept { return remaining_; }

private:
    enum class state : std::uint8_t {
        size,      // a chunk's size line
        data,      // a chunk's bytes
        data_end,  // the line break after a chunk's bytes
        trailer,   // the field lines after the last chunk
        done
    };

    state state_ = state::size;
    std::uint64_t remaining_ = 0;  // of the current chunk
    std::size_t trailer_bytes_ = 0;
};

}  // namespace hadrian::core::http_framing
