// Beast's response parser, writing into a header_fields table and a body window.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hadrian/core/asio.hpp"
#include "hadrian/core/fields_parser.hpp"
#include "hadrian/core/header_fields.hpp"

namespace hadrian::upstream {

/// The status and header fields go to a header_fields table (no allocation per field); body
/// bytes go to the window the reader gives before each parse step, as with Beast's buffer_body:
/// what does not fit stays in the read buffer for the next window (http::error::need_buffer).
class response_parser final : public core::fields_parser<false> {
public:
    response_parser() : fields_parser(fields_) {}

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
    void on_response_impl(int code, beast::string_view reason, int version,
                          error_code& ec) override;
    void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                           error_code& ec) override;
    std::size_t take_body(std::string_view body, error_code& ec) override;

    int status_ = 0;
    core::header_fields fields_;
    char* window_ = nullptr;
    std::size_t left_ = 0;
};

}  // namespace hadrian::upstream
