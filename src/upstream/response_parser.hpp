// The upstream answer's parser (RFC 9112): the status line and header fields into a
// header_fields table, body bytes into a window the reader gives.
#pragma once

#include <boost/asio/buffer.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "hadrian/core/asio.hpp"
#include "hadrian/core/header_fields.hpp"
#include "hadrian/core/http_framing.hpp"

namespace hadrian::upstream {

/// A head is taken once it is all there, in one pass over its bytes; interim answers (1xx but
/// 101) before the final one are read past. Body bytes go to the window set by body_window()
/// (whole, with an announced length, chunked, or up to the connection's end); what does not
/// fit stays unparsed for the next window (http::error::need_buffer).
///
/// Strict as the server's request parser where two readers could disagree about where the
/// answer ends (a pooled connection carries the next one): folded field lines, bare LF line
/// endings, control characters in a value, a Content-Length with a Transfer-Encoding, lengths
/// that disagree. Errors are Beast's codes (http::error): need_more while a piece is missing.
class response_parser {
public:
    /// The most bytes of a head, from the status line to the blank line (default 8 KiB).
    void header_limit(std::uint32_t bytes) noexcept { header_limit_ = bytes; }
    /// The answer is to a HEAD request: it has no body, whatever its head announces.
    void head_request() noexcept { head_request_ = true; }

    /// Parses what it can of `input`: the head (put() stops after it), or body bytes into the
    /// window. Returns the bytes taken; the rest must come again, with what follows it.
    std::size_t put(asio::const_buffer input, error_code& ec);
    /// The connection ended: the end of a body that ends with it; partial_message otherwise
    /// (but for a message already done).
    void put_eof(error_code& ec) noexcept;

    /// The next body bytes go to [data, data + size).
    void body_window(char* data, std::size_t size) noexcept {
        window_ = data;
        left_ = size;
    }
    /// Bytes of the window not written yet.
    std::size_t window_left() const noexcept { return left_; }

    int status() const noexcept { return status_; }
    const core::header_fields& fields() const noexcept { return fields_; }
    bool got_some() const noexcept { return got_some_; }
    bool is_header_done() const noexcept { return state_ != state::head; }
    bool is_done() const noexcept { return state_ == state::done; }
    /// Whether the connection may carry another exchange after this one.
    bool keep_alive() const noexcept;
    /// The announced body length; none for a body framed otherwise, or a head not read yet.
    std::optional<std::uint64_t> content_length() const noexcept;
    /// What is left of an announced length to read.
    std::optional<std::uint64_t> content_length_remaining() const noexcept;

private:
    enum class state : std::uint8_t {
        head,
        length,   // an announced length
        chunked,  // a chunked body
        to_eof,   // a body that ends with the connection
        done
    };

    std::size_t put_head(const char* data, std::size_t size, error_code& ec);
    /// The head in `head` (complete, through its blank line); false with `ec` set.
    bool parse_head(std::string_view head, error_code& ec);
    /// How the body of the head just read is framed.
    state body_state() const noexcept;
    std::size_t put_chunked(const char* data, std::size_t size, error_code& ec);
    /// Copies what the window takes of `n` bytes at `data`: need_buffer when not all of them.
    std::size_t to_window(const char* data, std::size_t n, error_code& ec) noexcept;

    core::header_fields fields_;
    char* window_ = nullptr;
    std::size_t left_ = 0;
    std::uint32_t header_limit_ = 8192;
    int status_ = 0;
    unsigned version_ = 11;
    state state_ = state::head;
    bool head_request_ = false;
    bool got_some_ = false;
    core::http_framing::framing frame_;
    std::uint64_t remaining_ = 0;  // of the announced length
    std::size_t searched_ = 0;     // head bytes searched for its end without finding it
    core::http_framing::chunked_decoder chunks_;
};

}  // namespace hadrian::upstream
