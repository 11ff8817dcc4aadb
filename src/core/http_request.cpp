#include "hadrian/core/http_request.hpp"

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

}  // namespace hadrian::core
