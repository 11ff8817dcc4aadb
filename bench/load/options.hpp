// Command line of bench-load.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bench::load {

struct options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::string path = "/";
    std::string method;  // POST with a body, else GET
    std::vector<std::string> headers;
    std::string body;

    double rate = 0;           // requests per second; 0: closed loop
    double duration = 10;      // seconds of sending
    unsigned connections = 0;  // closed loop: exactly this many; open loop: at most this many
    unsigned streams = 0;      // hold mode: this many one-request connections at once
    double ramp = 1;           // hold mode: the starts are spread over this many seconds
    double timeout = 60;       // per request, from its scheduled time
    std::string stream_end = "data: [DONE]";
    bool json = false;
    std::string label;
    std::string timeline;  // where to write one line of event times per answered request
};

/// Parses argv; prints the usage and exits on --help or a mistake.
options parse_options(int argc, char** argv);

/// The bytes of one request (head and body), sent unchanged for every request.
std::string request_bytes(const options& opt);

}  // namespace bench::load
