/// A request as the server reads it, and the parser that fills it.
///
/// The fields are a header_fields table (no allocation per field; a connection's requests reuse
/// its buffers).
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hadrian/core/asio.hpp"
#include "hadrian/core/header_fields.hpp"
#include "hadrian/core/http_framing.hpp"

namespace hadrian::core {

class http_request {
public:
    http::verb method() const noexcept { return method_; }
    /// The method as received (for a method Beast does not know, the only name it has).
    std::string_view method_string() const noexcept {
        return std::string_view(line_).substr(0, method_size_);
    }
    std::string_view target() const noexcept {
        return std::string_view(line_).substr(method_size_);
    }
    /// 10 for HTTP/1.0, 11 for HTTP/1.1.
    unsigned version() const noexcept { return version_; }

    const header_fields& fields() const noexcept { return fields_; }
    header_fields& fields() noexcept { return fields_; }
    /// The value of the first field `f` or named `name` (in any case), or empty.
    std::string_view operator[](http::field f) const noexcept { return fields_[f]; }
    std::string_view operator[](std::string_view name) const noexcept { return fields_[name]; }

    std::string& body() noexcept { return body_; }
    const std::string& body() const noexcept { return body_; }

    /// Starts a new request: the fields and body of the last one are dropped (their buffers
    /// kept, but for a large body's).
    void start(http::verb method, std::string_view method_string, std::string_view target,
               unsigned version);

private:
    std::string line_;  // the method, then the target
    std::size_t method_size_ = 0;
    http::verb method_ = http::verb::unknown;
    unsigned version_ = 11;
    header_fields fields_;
    std::string body_;
};

/// The server's request parser (RFC 9112), writing into an http_request: the head in one
/// pass over its bytes, then the body, whole or chunked, appended into a string reserved for
/// the announced length (which the body limit bounds): copied into once, never moved.
///
/// Strict where leniency lets two readers disagree about a message: field lines folded onto
/// the next line, whitespace before a field's colon, bare LF line endings, control characters
/// in a value, a Content-Length with a Transfer-Encoding, lengths that disagree, a
/// Transfer-Encoding that does not end in chunked. Errors are Beast's codes
/// (http::error), as its parser gave them: need_more while a piece is missing.
///
/// A head is taken once it is all there: until then put() takes nothing, and a head that
/// arrives in pieces is searched for its end only in the bytes that are new. put() stops
/// after the head, so the caller can look at it before the body.
class http_request_parser {
public:
    explicit http_request_parser(http_request& out) : out_(out) {}

    /// The most bytes of a head, from the request line to the blank line (default 8 KiB).
    void header_limit(std::uint32_t bytes) noexcept { header_limit_ = bytes; }
    /// The most bytes of a body (default 1 MiB).
    void body_limit(std::uint64_t bytes) noexcept { body_limit_ = bytes; }

    /// Parses what it can of `input`; returns the bytes it took (the rest must come again,
    /// with what follows it).
    std::size_t put(asio::const_buffer input, error_code& ec);

    bool got_some() const noexcept { return got_some_; }
    bool is_header_done() const noexcept { return state_ != state::head; }
    bool is_done() const noexcept { return state_ == state::done; }
    /// Whether the connection may carry another request after this one.
    bool keep_alive() const noexcept;
    /// The announced body length; none for a chunked body or a head not read yet.
    std::optional<std::uint64_t> content_length() const noexcept;
    /// What is left of an announced length to read.
    std::optional<std::uint64_t> content_length_remaining() const noexcept;

private:
    enum class state : std::uint8_t {
        head,
        body,     // an announced length
        chunked,  // a chunked body
        done
    };

    std::size_t put_head(const char* data, std::size_t size, error_code& ec);
    /// The head in `head` (complete, through its blank line) into out_; false with `ec` set.
    bool parse_head(std::string_view head, error_code& ec);
    std::size_t put_chunked(const char* data, std::size_t size, error_code& ec);
    /// Appends body bytes, within the limit.
    bool take(std::string_view bytes, error_code& ec);

    http_request& out_;
    std::uint32_t header_limit_ = 8192;
    std::uint64_t body_limit_ = 1024 * 1024;
    state state_ = state::head;
    bool got_some_ = false;
    bool close_ = false;       // Connection: close
    bool keep_alive_ = false;  // Connection: keep-alive
    bool chunked_ = false;
    bool has_length_ = false;
    std::uint64_t length_ = 0;     // the announced length
    std::uint64_t remaining_ = 0;  // of the length
    std::size_t searched_ = 0;     // head bytes searched for its end without finding it
    http_framing::chunked_decoder chunks_;
};

}  // namespace hadrian::core
