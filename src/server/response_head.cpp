#include "response_head.hpp"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <charconv>

#include "hadrian/core/ascii_case.hpp"
#include "hadrian/core/header_fields.hpp"
#include "hadrian/core/put_text.hpp"

namespace hadrian::server {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

bool framing_field(std::string_view name, std::uint64_t key) {
    static constexpr std::string_view names[] = {"content-length", "transfer-encoding",
                                                 "connection"};
    static constexpr std::uint64_t keys[] = {core::field_name_key(names[0]),
                                             core::field_name_key(names[1]),
                                             core::field_name_key(names[2])};
    for (std::size_t i = 0; i < std::size(names); ++i) {
        if (key == keys[i] && core::iequals(name, names[i])) {
            return true;
        }
    }
    return false;
}

}  // namespace

void response_head::add(std::string_view name, std::string_view value) {
    if (size_ == max_fields || name.empty()) {
        return;
    }
    const std::uint64_t key = core::field_name_key(name);
    if (!framing_field(name, key)) {
        names_[size_] = {name.data(), name.size()};
        values_[size_] = {value.data(), value.size()};
        keys_[size_++] = key;
    }
}

void response_head::write(std::string& out, unsigned version, int status, bool keep_alive,
                          std::string_view framing) const {
    const std::string_view version_text = version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    const std::string_view reason = http::obsolete_reason(static_cast<http::status>(status));
    std::string_view connection;
    if (version == 10 && keep_alive) {
        connection = "Connection: keep-alive\r\n";
    } else if (version != 10 && !keep_alive) {
        connection = "Connection: close\r\n";
    }
    char digits[12];  // an int has at most 11
    char* const digits_end = std::to_chars(digits, digits + sizeof digits, status).ptr;
    std::size_t size = version_text.size() + static_cast<std::size_t>(digits_end - digits) + 1 +
                       reason.size() + 2 + connection.size() + 2;
    if (!framing.empty()) {
        size += framing.size() + 2;
    }

    // One pass finds the overridden fields and sizes the head, one writes it: no growth.
    // From the last field back, each name goes into a small open-addressed set of the names
    // after it: a name found there is overridden.
    std::array<std::uint8_t, 2 * 64> seen{};  // a field's index + 1; 0 is free
    static_assert(max_fields < seen.size() / 2);
    std::array<bool, max_fields> kept{};
    for (std::size_t i = size_; i-- > 0;) {
        bool overridden = false;
        std::size_t slot = (keys_[i] * 0x9e3779b97f4a7c15ULL) >> 57;  // the top 7 bits
        for (; seen[slot] != 0; slot = (slot + 1) % seen.size()) {
            const std::size_t j = seen[slot] - 1U;
            if (keys_[j] == keys_[i] && core::iequals(names_[i].view(), names_[j].view())) {
                overridden = true;
                break;
            }
        }
        if (!overridden) {
            seen[slot] = static_cast<std::uint8_t>(i + 1);
            kept[i] = true;
            size += names_[i].size + 2 + values_[i].size + 2;
        }
    }

    out.resize(size);  // reuses the string's room: a caller's scratch allocates nothing
    char* p = out.data();
    const auto put = [&p](std::string_view piece) { core::put_text(p, piece); };
    const auto line_break = [&p] {
        p[0] = '\r';
        p[1] = '\n';
        p += 2;
    };
    put(version_text);
    p = std::copy(digits, digits_end, p);
    *p++ = ' ';
    put(reason);
    line_break();
    for (std::size_t i = 0; i < size_; ++i) {
        if (kept[i]) {
            put(names_[i].view());
            p[0] = ':';
            p[1] = ' ';
            p += 2;
            put(values_[i].view());
            line_break();
        }
    }
    if (!framing.empty()) {
        put(framing);
        line_break();
    }
    put(connection);
    line_break();
}

}  // namespace hadrian::server
