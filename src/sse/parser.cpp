// Incremental event-stream parser. The input is scanned with memchr for the two line-end bytes
// and whole ranges are appended, so the cost per byte is a comparison, never an allocation.
#include "hadrian/sse/parser.hpp"

#include <cstring>

namespace hadrian::sse {
namespace {

constexpr std::string_view bom = "\xEF\xBB\xBF";

/// First occurrence of `c` in [from, end), or `end`.
const char* find_byte(const char* from, const char* end, char c) noexcept {
    const void* hit = std::memchr(from, c, static_cast<std::size_t>(end - from));
    return hit ? static_cast<const char*>(hit) : end;
}

}  // namespace

parser::parser(std::size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}

bool parser::has_partial_event() const noexcept {
    return !line_.empty() || has_data_ || !current_.event.empty();
}

bool parser::feed(std::string_view bytes, std::vector<event>& out) {
    if (failed_) {
        return false;
    }

    // A UTF-8 BOM is dropped once at the start of the stream. Its bytes may arrive in separate
    // feeds, so a proper prefix of it waits in line_ until it is complete or proven otherwise.
    if (!bom_checked_) {
        while (!bytes.empty() && line_.size() < bom.size()) {
            if (bytes.front() != bom[line_.size()]) {
                bom_checked_ = true;  // line_ keeps the bytes: they start the first line
                break;
            }
            line_.push_back(bytes.front());
            bytes.remove_prefix(1);
        }
        if (!bom_checked_) {
            if (line_.size() < bom.size()) {
                return true;  // still a prefix of the BOM; wait for more bytes
            }
            line_.clear();
            bom_checked_ = true;
        }
    }

    const char* p = bytes.data();
    const char* const end = p + bytes.size();

    // A '\n' right after a '\r' that ended the previous feed belongs to that line end.
    if (saw_cr_ && p != end) {
        saw_cr_ = false;
        if (*p == '\n') {
            ++p;
        }
    }

    // Next '\n' and '\r' at or after p; each is searched again only once p has passed it, so
    // the whole feed is scanned at most once per byte value.
    const char* next_lf = nullptr;
    const char* next_cr = nullptr;
    while (p != end) {
        if (next_lf == nullptr || next_lf < p) {
            next_lf = find_byte(p, end, '\n');
        }
        if (next_cr == nullptr || next_cr < p) {
            next_cr = find_byte(p, end, '\r');
        }
        const char* eol = next_lf < next_cr ? next_lf : next_cr;

        if (eol == end) {
            // Unterminated line: keep it for the next feed.
            line_.append(p, end);
            if (line_.size() + current_.data.size() + current_.event.size() > max_event_bytes_) {
                failed_ = true;
                return false;
            }
            return true;
        }

        if (line_.empty()) {
            process_line(std::string_view(p, static_cast<std::size_t>(eol - p)), out);
        } else {
            line_.append(p, eol);
            process_line(line_, out);
            line_.clear();
        }
        if (failed_) {
            return false;
        }

        p = eol + 1;
        if (*eol == '\r') {
            if (p == end) {
                saw_cr_ = true;  // the '\n' of a "\r\n" may come in the next feed
            } else if (*p == '\n') {
                ++p;
            }
        }
    }
    return true;
}

void parser::process_line(std::string_view line, std::vector<event>& out) {
    if (line.empty()) {
        // Blank line: dispatch. An event without data lines is dropped, and its type with it.
        if (has_data_) {
            event& e = out.emplace_back();
            e.event = std::move(current_.event);
            e.data = std::move(current_.data);
            e.id = current_.id;  // the last event id outlives the event (WHATWG)
            has_data_ = false;
        }
        current_.event.clear();
        current_.data.clear();
        return;
    }
    if (line.front() == ':') {
        return;  // comment
    }

    std::string_view field = line;
    std::string_view value;
    if (const auto colon = line.find(':'); colon != std::string_view::npos) {
        field = line.substr(0, colon);
        value = line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') {
            value.remove_prefix(1);
        }
    }

    if (field == "data") {
        if (has_data_) {
            current_.data.push_back('\n');
        }
        current_.data.append(value);
        has_data_ = true;
    } else if (field == "event") {
        current_.event.assign(value);
    } else if (field == "id") {
        if (value.find('\0') == std::string_view::npos) {
            current_.id.assign(value);
        }
    }
    // "retry" and unknown fields are ignored.

    if (current_.data.size() + current_.event.size() > max_event_bytes_) {
        failed_ = true;
    }
}

}  // namespace hadrian::sse
