#include "upstream/response_parser.hpp"

#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <cstring>

namespace hadrian::upstream {

void response_parser::on_response_impl(int code, beast::string_view, int, error_code&) {
    status_ = code;
}

void response_parser::on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) {}

std::size_t response_parser::take_body(std::string_view body, error_code& ec) {
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

}  // namespace hadrian::upstream
