#include "hadrian/core/http_request.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <limits>

namespace hadrian::core {

namespace {

/// A body buffer larger than this is not kept for the connection's next request.
constexpr std::size_t kept_body_capacity = 16 * 1024;

std::uint32_t size32(std::size_t n) { return static_cast<std::uint32_t>(n); }

}  // namespace

std::string_view http_request::operator[](http::field f) const noexcept {
    for (const field_ref& r : fields_) {
        if (r.id == f) {
            return text(r.value_at, r.value_size);
        }
    }
    return {};
}

std::string_view http_request::operator[](std::string_view name) const noexcept {
    const http::field f = http::string_to_field(name);
    if (f != http::field::unknown) {
        return (*this)[f];
    }
    for (const field_ref& r : fields_) {
        if (r.id == http::field::unknown && r.name_size == name.size() &&
            beast::iequals(text(r.name_at, r.name_size), name)) {
            return text(r.value_at, r.value_size);
        }
    }
    return {};
}

void http_request::start(http::verb method, std::string_view method_string, std::string_view target,
                         unsigned version) {
    text_.clear();
    fields_.clear();
    if (body_.capacity() > kept_body_capacity) {
        std::string().swap(body_);
    } else {
        body_.clear();
    }
    text_.append(method_string).append(target);
    method_size_ = size32(method_string.size());
    target_size_ = size32(target.size());
    method_ = method;
    version_ = version;
}

void http_request::add_field(http::field f, std::string_view name, std::string_view value) {
    const std::size_t name_at = text_.size();
    text_.append(name).append(value);
    fields_.push_back(field_ref{f, size32(name_at), size32(name.size()),
                                size32(name_at + name.size()), size32(value.size())});
}

void http_request_parser::on_request_impl(http::verb method, beast::string_view method_str,
                                          beast::string_view target, int version, error_code&) {
    // The header limit (at most 4 GiB in Beast) bounds every offset kept in 32 bits.
    out_.start(method, method_str, target, static_cast<unsigned>(version));
}

void http_request_parser::on_response_impl(int, beast::string_view, int, error_code& ec) {
    ec = http::error::bad_version;  // a request parser never sees a status line
}

void http_request_parser::on_field_impl(http::field name, beast::string_view name_string,
                                        beast::string_view value, error_code&) {
    out_.add_field(name, name_string, value);
}

void http_request_parser::on_header_impl(error_code&) {}

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

std::size_t http_request_parser::on_body_impl(beast::string_view body, error_code& ec) {
    std::string& b = out_.body();
    if (body.size() > b.max_size() - b.size()) {
        ec = http::error::buffer_overflow;
        return 0;
    }
    b.append(body);
    return body.size();
}

void http_request_parser::on_chunk_header_impl(std::uint64_t, beast::string_view, error_code&) {}

std::size_t http_request_parser::on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                                    error_code& ec) {
    return on_body_impl(body, ec);
}

void http_request_parser::on_finish_impl(error_code&) {}

}  // namespace hadrian::core
