/// Beast's parser writing a message's header fields into a header_fields table: the base of
/// the upstream answer's parser. A derived parser takes the start line and the body; Beast
/// does the parsing, with all its checks of framing and limits.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hadrian/core/asio.hpp"
#include "hadrian/core/header_fields.hpp"

namespace hadrian::core {

template <bool isRequest>
class fields_parser : public http::basic_parser<isRequest> {
protected:
    /// `fields` may be a member of the derived class: it is only written to while parsing.
    explicit fields_parser(header_fields& fields) : fields_(fields) {}

    /// Body bytes, of a whole body or of a chunk: returns how many were taken (the rest comes
    /// again in the next call).
    virtual std::size_t take_body(std::string_view body, error_code& ec) = 0;

    // The start line of the other kind of message never reaches a parser of this kind;
    // the derived parser overrides the one it reads.
    void on_request_impl(http::verb, beast::string_view, beast::string_view, int,
                         error_code& ec) override {
        ec = http::error::bad_method;
    }
    void on_response_impl(int, beast::string_view, int, error_code& ec) override {
        ec = http::error::bad_version;
    }

private:
    void on_field_impl(http::field name, beast::string_view name_string, beast::string_view value,
                       error_code&) override {
        fields_.add(name, name_string, value);
    }
    void on_header_impl(error_code&) override {}
    std::size_t on_body_impl(beast::string_view body, error_code& ec) override {
        return take_body(body, ec);
    }
    void on_chunk_header_impl(std::uint64_t, beast::string_view, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                   error_code& ec) override {
        return take_body(body, ec);
    }
    void on_finish_impl(error_code&) override {}

    header_fields& fields_;
};

}  // namespace hadrian::core
