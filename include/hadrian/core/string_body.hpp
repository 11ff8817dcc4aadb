/// A request body read into a std::string by appending what arrives.
///
/// Beast's string_body grows its string with resize() before copying into it, which writes
/// zeros over the new bytes first: for a 1 MiB image, one more pass over memory that buys
/// nothing. This body appends instead; like Beast's, it reserves the announced length (which
/// the parser's body limit bounds), so the string is copied into once and never moved.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional/optional.hpp>
#include <cstdint>
#include <string>

#include "hadrian/core/asio.hpp"

namespace hadrian::core {

struct string_body {
    using value_type = std::string;

    static std::uint64_t size(const value_type& body) { return body.size(); }

    class reader {
    public:
        template <bool isRequest, class Fields>
        explicit reader(http::header<isRequest, Fields>& /*header*/, value_type& body)
            : body_(body) {}

        void init(const boost::optional<std::uint64_t>& length, error_code& ec) {
            ec = {};
            if (length) {
                if (*length > body_.max_size()) {
                    ec = http::error::buffer_overflow;
                    return;
                }
                body_.reserve(static_cast<std::size_t>(*length));
            }
        }

        template <class ConstBufferSequence>
        std::size_t put(const ConstBufferSequence& buffers, error_code& ec) {
            ec = {};
            std::size_t n = 0;
            for (auto it = asio::buffer_sequence_begin(buffers);
                 it != asio::buffer_sequence_end(buffers); ++it) {
                const asio::const_buffer b = *it;
                if (b.size() > body_.max_size() - body_.size()) {
                    ec = http::error::buffer_overflow;
                    return n;
                }
                body_.append(static_cast<const char*>(b.data()), b.size());
                n += b.size();
            }
            return n;
        }

        void finish(error_code& ec) { ec = {}; }

    private:
        value_type& body_;
    };
};

/// A request as the server reads it.
using http_request = http::request<string_body>;

}  // namespace hadrian::core
