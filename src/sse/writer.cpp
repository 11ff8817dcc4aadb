// Event framing for downstream streams.
#include "hadrian/sse/writer.hpp"

#include <cassert>
#include <cstring>

namespace hadrian::sse {

namespace {

/// The index of the first '\r' or '\n' in `s`, or npos. Two memchr passes (event data
/// rarely holds either) where find_first_of calls memchr once per byte.
std::size_t line_end(std::string_view s) {
    if (s.empty()) {
        return std::string_view::npos;
    }
    const void* nl = std::memchr(s.data(), '\n', s.size());
    const std::size_t limit =
        nl != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nl) - s.data())
                      : s.size();
    if (const void* cr = std::memchr(s.data(), '\r', limit); cr != nullptr) {
        return static_cast<std::size_t>(static_cast<const char*>(cr) - s.data());
    }
    return nl != nullptr ? limit : std::string_view::npos;
}

}  // namespace

void append_event(std::string& out, std::string_view data, std::string_view event_type) {
    // A line break inside the type would start a new field of the client's parser.
    assert(event_type.find_first_of("\r\n") == std::string_view::npos);

    out.reserve(out.size() + data.size() + event_type.size() + 16);
    if (!event_type.empty()) {
        out.append("event: ");
        out.append(event_type);
        out.push_back('\n');
    }
    // One `data:` line per line of data. '\r' and "\r\n" are line ends for the client's parser
    // too, so they split here as well: a raw '\r' in data can never smuggle in another field.
    for (;;) {
        const auto eol = line_end(data);
        out.append("data: ");
        out.append(data.substr(0, eol));
        out.push_back('\n');
        if (eol == std::string_view::npos) {
            break;
        }
        std::size_t next = eol + 1;
        if (data[eol] == '\r' && next < data.size() && data[next] == '\n') {
            ++next;
        }
        data.remove_prefix(next);
    }
    out.push_back('\n');
}

std::string format_event(std::string_view data, std::string_view event_type) {
    std::string out;
    append_event(out, data, event_type);
    return out;
}

}  // namespace hadrian::sse
