#include "upstream/response_parser.hpp"

#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <cstring>

namespace hadrian::upstream {

void response_parser::on_request_impl(http::verb, beast::string_view, beast::string_view, int,
                                      error_code& ec) {
    ec = http::error::bad_method;  // a response parser never sees a request line
}

void response_parser::on_response_impl(int code, beast::string_view, int, error_code&) {
    status_ = code;
}

void response_parser::on_field_impl(http::field name, beast::string_view name_string,
                                    beast::string_view value, error_code&) {
    fields_.add(name, name_string, value);
}

void response_parser::on_header_impl(error_code&) {}

void response_parser::on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) {}

std::size_t response_parser::on_body_impl(beast::string_view body, error_code& ec) {
    if (window_ == nullptr) {
        ec = http::error::need_buffer;
        return 0;
    }
    const std::size_t n = std::min(left_, body.size());
    if (n > 0) {
        std::memcpy(window_, body.data(), n);
        window_ += n;
        left_ -= n;
    }
    if (n < body.size()) {
        ec = http::error::need_buffer;  // the rest waits for the next window
    }
    return n;
}

void response_parser::on_chunk_header_impl(std::uint64_t, beast::string_view, error_code&) {}

std::size_t response_parser::on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                                error_code& ec) {
    return on_body_impl(body, ec);
}

void response_parser::on_finish_impl(error_code&) {}

}  // namespace hadrian::upstream
