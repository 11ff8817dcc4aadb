/// A request as the server reads it, and the parser that fills it.
///
/// The fields are a header_fields table (no allocation per field; a connection's requests reuse
/// its buffers). The parsing itself is Beast's (basic_parser), with all its checks of framing
/// (Content-Length, Transfer-Encoding, chunks) and limits.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "hadrian/core/asio.hpp"
#include "hadrian/core/fields_parser.hpp"
#include "hadrian/core/header_fields.hpp"

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

/// Beast's request parser, writing into an http_request. The body is appended as it arrives
/// into a string reserved for the announced length (which the body limit bounds): copied into
/// once, never moved, never zero-filled first.
class http_request_parser final : public fields_parser<true> {
public:
    explicit http_request_parser(http_request& out) : fields_parser(out.fields()), out_(out) {}

private:
    void on_request_impl(http::verb method, beast::string_view method_str,
                         beast::string_view target, int version, error_code& ec) override;
    void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                           error_code& ec) override;
    std::size_t take_body(std::string_view body, error_code& ec) override;

    http_request& out_;
};

}  // namespace hadrian::core
