// The status line and header fields of an answer, written in one piece.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace hadrian::server {

/// Fields gathered in order of precedence, the last of a name winning (as `set` would), then
/// written with the status line, the framing field and the connection field.
/// The views must outlive `write`.
class response_head {
public:
    static constexpr std::size_t max_fields = 48;

    /// Adds a field; empty names, the framing fields (Content-Length, Transfer-Encoding,
    /// Connection: the session writes its own) and fields beyond max_fields are left out.
    void add(std::string_view name, std::string_view value);

    /// The head, ending with the blank line. `version` is 10 or 11; `framing` a whole field
    /// line without its line break, or empty. Connection is written when keep-alive differs
    /// from the version's default.
    std::string write(unsigned version, int status, bool keep_alive,
                      std::string_view framing) const;

private:
    std::array<std::pair<std::string_view, std::string_view>, max_fields> fields_;
    std::array<std::uint64_t, max_fields> keys_;
    std::size_t size_ = 0;
};

}  // namespace hadrian::server
