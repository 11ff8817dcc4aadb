// The status line and header fields of an answer, written in one piece.
#pragma once

#include <array>
#include <cstddef>
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
    /// Writes the head into `out`, replacing what it held (its room is reused).
    void write(std::string& out, unsigned version, int status, bool keep_alive,
               std::string_view framing) const;

private:
    /// A field's name or value; trivially constructible, so that a head on the stack writes
    /// none of the slots it does not use.
    struct text {
        const char* data;
        std::size_t size;
        std::string_view view() const noexcept { return {data, size}; }
    };
    std::array<text, max_fields> names_;
    std::array<text, max_fields> values_;
    std::array<std::uint64_t, max_fields> keys_;
    std::size_t size_ = 0;
};

}  // namespace hadrian::server
