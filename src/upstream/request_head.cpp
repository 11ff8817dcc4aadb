// A request's head serialized once for requests alike (upstream::prepare_head).

#include "hadrian/core/ascii_case.hpp"
#include "hadrian/core/line_break.hpp"
#include "hadrian/core/put_text.hpp"
#include "hadrian/upstream/client.hpp"
#include "upstream/failure.hpp"

#ifndef HADRIAN_VERSION
#define HADRIAN_VERSION "0.0.0"
#endif

namespace hadrian::upstream {

prepared_head prepare_head(const request& req) {
    static constexpr std::string_view agent = "User-Agent: hadrian/" HADRIAN_VERSION "\r\n";
    const std::string_view method = http::to_string(req.method);
    // Room for everything: the fields' sizes, the fixed text, a Host of the host in brackets
    // with a port.
    std::size_t room = method.size() + 1 + req.target.target.size() + 11 + 8 +
                       req.target.host.size() + 8 + agent.size();
    for (const auto& [name, value] : req.headers) {
        room += name.size() + 2 + value.size() + 2;
    }
    prepared_head out{req.method, req.target, std::string(room, '\0')};
    char* p = out.text.data();
    const auto put = [&p](std::string_view piece) { core::put_text(p, piece); };
    put(method);
    *p++ = ' ';
    put(req.target.target);
    put(" HTTP/1.1\r\n");
    bool has_host = false;
    bool has_agent = false;
    for (const auto& [name, value] : req.headers) {
        if (core::iequals(name, "content-length") || core::iequals(name, "transfer-encoding")) {
            continue;
        }
        if (core::has_line_break(name) || core::has_line_break(value)) {
            logger().warn("{}: header field {:?} left out: it holds a line break", req.target.host,
                          name);
            continue;
        }
        has_host = has_host || core::iequals(name, "host");
        has_agent = has_agent || core::iequals(name, "user-agent");
        put(name);
        put(": ");
        put(value);
        put("\r\n");
    }
    if (!has_host) {
        put("Host: ");
        put(req.target.host_header());
        put("\r\n");
    }
    if (!has_agent) {
        put(agent);
    }
    out.text.resize(static_cast<std::size_t>(p - out.text.data()));
    return out;
}

}  // namespace hadrian::upstream
