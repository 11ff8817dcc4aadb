/// Incremental Server-Sent Events parser (WHATWG event-stream rules). Pure: bytes in, events
/// out; knows nothing of provider JSON.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hadrian::sse {

struct event {
    std::string event;  // the `event:` field; empty when absent
    std::string data;   // `data:` lines joined with '\n'
    std::string id;
};

/// Feed bytes in any split; complete events are appended to `out`. Handles `\n`, `\r\n` and
/// `\r` line ends (also split across feeds), comments (`:`), a UTF-8 BOM at the start, a
/// single leading space after the colon, and fields without a colon. An event is dispatched at
/// a blank line; one with no data lines is dropped as the spec says.
/// Thread safety: none (one parser per stream).
class parser {
public:
    explicit parser(std::size_t max_event_bytes = 16 * 1024 * 1024);

    /// Returns false (and stops parsing) when one event grows over max_event_bytes.
    bool feed(std::string_view bytes, std::vector<event>& out);

    /// Bytes held for an event not yet terminated (for "stream ended mid-event" checks).
    bool has_partial_event() const noexcept;

private:
    void process_line(std::string_view line, std::vector<event>& out);

    std::size_t max_event_bytes_;
    std::string line_;  // the current unterminated line
    event current_;
    bool has_data_ = false;
    bool saw_cr_ = false;  // the previous byte was '\r' (a following '\n' is ignored)
    bool bom_checked_ = false;
    bool failed_ = false;
};

}  // namespace hadrian::sse
