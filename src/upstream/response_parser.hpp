// Beast's response parser, writing into a header_fields table and a body window.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <cstddef>
#include <cstdint>

#include "hadrian/core/asio.hpp"
#include "hadrian/core/header_fields.hpp"

namespace hadrian::upstream {

/// The status and header fields go to a header_fields table (no allocation per field); body
/// bytes go to the window the reader gives before each parse step, as with Beast's buffer_body:
/// what does not fit stays in the read buffer for the next window (http::error::need_buffer).
class response_parser final : public http::basic_parser<false> {
public:
    int status() const noexcept { return status_; }
    const core::header_fields& fields() const noexcept { return fields_; }

    /// The next body bytes go to [data, data + size).
    void body_window(char* data, std::size_t size) noexcept {
        window_ = data;
        left_ = size;
    }
    /// Bytes of the window not written yet.
    std::size_t window_left() const noexcept { return left_; }

private:
    void on_request_impl(http::verb method, beast::string_view method_str,
                         beast::string_view target, int version, error_code& ec) override;
    void on_response_impl(int code, beast::string_view reason, int version,
                          error_code& ec) override;
    void on_field_impl(http::field name, beast::string_view name_string, beast::string_view value,
                       error_code& ec) override;
    void on_header_impl(error_code& ec) override;
    void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                           error_code& ec) override;
    std::size_t on_body_impl(beast::string_view body, error_code& ec) override;
    void on_chunk_header_impl(std::uint64_t size, beast::string_view extensions,
                              error_code& ec) override;
    std::size_t on_chunk_body_impl(std::uint64_t remain, beast::string_view body,
                                   error_code& ec) override;
    void on_finish_impl(error_code& ec) override;

    int status_ = 0;
    core::header_fields fields_;
    char* window_ = nullptr;
    std::size_t left_ = 0;
};

}  // namespace hadrian::upstream
