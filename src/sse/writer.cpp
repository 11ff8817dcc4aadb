// Event framing for downstream streams.
#include "hadrian/sse/writer.hpp"

#include <cassert>

#include "hadrian/core/line_break.hpp"

namespace hadrian::sse {

void append_event(std::string& out, std::string_view data, std::string_view event_type) {
    // A line break inside the type would start a new field of the client's parser.
    assert(!core::has_line_break(event_type));

    out.reserve(out.size() + data.size() + event_type.size() + 16);
    if (!event_type.empty()) {
        out.append("event: ");
        out.append(event_type);
        out.push_back('\n');
    }
    // One `data:` line per line of data. '\r' and "\r\n" are line ends for the client's parser
    // too, so they split here as well: a raw '\r' in data can never smuggle in another field.
    for (;;) {
        const auto eol = core::find_line_break(data);
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
