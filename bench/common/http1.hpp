// A minimal HTTP/1.1 message reader for the bench tools: the header section, then a body
// framed by Content-Length or chunked transfer coding. Just enough for the fake upstream and
// the load client, which only talk to each other, the gateway and nginx.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bench::http1 {

/// The parsed header section of a request or a response.
struct head {
    std::string method;  // requests
    std::string target;  // requests
    int status = 0;      // responses
    std::vector<std::pair<std::string, std::string>> fields;
    std::int64_t content_length = -1;  // -1: none given
    bool chunked = false;
    bool keep_alive = true;

    /// The value of the first field named `name` (case-insensitive), or empty.
    [[nodiscard]] std::string_view field(std::string_view name) const;
};

enum class parse_status { incomplete, done, bad };

/// Parses a complete header section at the start of `buf`. On `done`, `used` is its length
/// including the blank line.
parse_status parse_head(std::string_view buf, bool is_request, head& out, std::size_t& used);

/// Decodes a message body incrementally. A response without a length (and not chunked) runs
/// until the connection closes; requests without one have an empty body.
class body_reader {
public:
    void reset(const head& h, bool is_request);

    /// Consumes bytes of `in`, passing body bytes to `on_data(std::string_view)`. Returns the
    /// number of bytes consumed (a pipelined next message may follow), or nullopt when the
    /// framing is broken.
    template <class F>
    std::optional<std::size_t> feed(std::string_view in, F&& on_data);

    [[nodiscard]] bool done() const { return state_ == state::done; }
    [[nodiscard]] bool until_close() const { return state_ == state::until_close; }

private:
    enum class state { length, chunk_size, chunk_data, chunk_data_end, trailer, until_close, done };
    state state_ = state::done;
    std::uint64_t left_ = 0;
    std::string line_;  // a chunk-size or trailer line split across reads
};

bool iequals(std::string_view a, std::string_view b);

template <class F>
std::optional<std::size_t> body_reader::feed(std::string_view in, F&& on_data) {
    std::size_t pos = 0;
    while (pos < in.size() && state_ != state::done) {
        switch (state_) {
            case state::length:
            case state::chunk_data: {
                const std::size_t n =
                    static_cast<std::size_t>(std::min<std::uint64_t>(left_, in.size() - pos));
                on_data(in.substr(pos, n));
                pos += n;
                left_ -= n;
                if (left_ == 0) {
                    state_ = state_ == state::length ? state::done : state::chunk_data_end;
                }
                break;
            }
            case state::until_close:
                on_data(in.substr(pos));
                pos = in.size();
                break;
            case state::chunk_size:
            case state::chunk_data_end:
            case state::trailer: {
                const auto nl = in.find('\n', pos);
                const auto end = nl == std::string_view::npos ? in.size() : nl;
                line_.append(in.substr(pos, end - pos));
                if (line_.size() > 4096) {
                    return std::nullopt;
                }
                if (nl == std::string_view::npos) {
                    return in.size();
                }
                pos = nl + 1;
                std::string_view line = line_;
                if (!line.empty() && line.back() == '\r') {
                    line.remove_suffix(1);
                }
                if (state_ == state::chunk_data_end) {
                    if (!line.empty()) {
                        return std::nullopt;
                    }
                    state_ = state::chunk_size;
                } else if (state_ == state::trailer) {
                    if (line.empty()) {
                        state_ = state::done;
                    }
                } else {
                    std::uint64_t size = 0;
                    std::size_t digits = 0;
                    for (char c : line) {
                        int v = c >= '0' && c <= '9'   ? c - '0'
                                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                       : -1;
                        if (v < 0) {
                            break;  // chunk extensions follow
                        }
                        if (++digits > 15) {
                            return std::nullopt;
                        }
                        size = size * 16 + static_cast<std::uint64_t>(v);
                    }
                    if (digits == 0) {
                        return std::nullopt;
                    }
                    left_ = size;
                    state_ = size == 0 ? state::trailer : state::chunk_data;
                }
                line_.clear();
                break;
            }
            case state::done:
                break;
        }
    }
    return pos;
}

}  // namespace bench::http1
