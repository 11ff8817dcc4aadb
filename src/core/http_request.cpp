#include "hadrian/core/http_request.hpp"

#include <boost/beast/http/error.hpp>
#include <limits>

namespace hadrian::core {

namespace {

/// A body buffer larger than this is not kept for the connection's next request.
constexpr std::size_t kept_body_capacity = 16 * 1024;

}  // namespace

void http_request::start(http::verb method, std::string_view method_string, std::string_view target,
                         unsigned version) {
    line_.assign(method_string).append(target);
    method_size_ = method_string.size();
    method_ = method;
    version_ = version;
    fields_.clear();
    if (body_.capacity() > kept_body_capacity) {
        std::string().swap(body_);
    } else {
        body_.clear();
    }
}

void http_request_parser::on_request_impl(http::verb method, beast::string_view method_str,
                                          beast::string_view target, int version, error_code&) {
    out_.start(method, method_str, target, static_cast<unsigned>(version));
}

void http_request_parser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                            error_code& ec) {
    if (!content_length) {
        return;
    }
    if (*content_length > out_.body().max_size()) {
        ec = http::error::buffer_overflow;
        return;
    }
    out_.body().reserve(static_cast<std::size_t>(*content_length));
}

std::size_t http_request_parser::take_body(std::string_view body, error_code& ec) {
    std::string& b = out_.body();
    if (body.size() > b.max_size() - b.size()) {
        ec = http::error::buffer_overflow;
        return 0;
    }
    b.append(body);
    return body.size();
}

}  // namespace hadrian::core
