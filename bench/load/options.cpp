#include "options.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>

namespace bench::load {

namespace {

constexpr const char* usage = R"(Usage: bench-load --url http://HOST:PORT/PATH [options]
Load modes:
  --rate R --duration S      open loop: a request every 1/R s for S s, latency counted from
                             the scheduled send time; keep-alive connections are reused and
                             more are opened while all are busy, up to --connections (4096)
  --connections N --duration S
                             closed loop: N connections, each sending its next request as
                             soon as the previous answer is complete
  --streams N [--ramp S]     hold: N connections at once, each sending one request, the
                             starts spread over S s (1)
Request:
  --body-file FILE           request body (POST); without it, GET
  --method M                 override the method
  --header 'Name: value'     extra header, repeatable
  --timeout S                per-request deadline from its scheduled time (60)
  --stream-end TEXT          an event-stream answer must end with this event ("data: [DONE]")
Output:
  --json                     one JSON object instead of text
  --label TEXT               name of the run in the output
  --timeline FILE            write each answered request's event times (µs from the start)
)";

[[noreturn]] void fail(const std::string& message) {
    std::fprintf(stderr, "bench-load: %s\n\n%s", message.c_str(), usage);
    std::exit(2);
}

double number(std::string_view flag, const char* text) {
    char* end = nullptr;
    const double v = std::strtod(text, &end);
    if (*text == '\0' || *end != '\0' || v < 0) {
        fail(std::string(flag) + " needs a non-negative number, got '" + text + "'");
    }
    return v;
}

void parse_url(std::string_view url, options& opt) {
    if (!url.starts_with("http://")) {
        fail("only http:// URLs are supported");
    }
    url.remove_prefix(7);
    const auto slash = url.find('/');
    const std::string_view authority = url.substr(0, slash);
    opt.path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
    const auto colon = authority.rfind(':');
    if (colon == std::string_view::npos) {
        opt.host = std::string(authority);
        opt.port = 80;
    } else {
        opt.host = std::string(authority.substr(0, colon));
        opt.port =
            static_cast<std::uint16_t>(std::atoi(std::string(authority.substr(colon + 1)).c_str()));
    }
    if (opt.host == "localhost") {
        opt.host = "127.0.0.1";
    }
}

std::string read_file(const char* path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        fail(std::string("cannot read ") + path);
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

options parse_options(int argc, char** argv) {
    options opt;
    bool have_url = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage, stdout);
            std::exit(0);
        }
        if (arg == "--json") {
            opt.json = true;
            continue;
        }
        if (i + 1 >= argc) {
            fail("unknown or incomplete option '" + std::string(arg) + "'");
        }
        const char* v = argv[++i];
        if (arg == "--url") {
            parse_url(v, opt);
            have_url = true;
        } else if (arg == "--rate") {
            opt.rate = number(arg, v);
        } else if (arg == "--duration") {
            opt.duration = number(arg, v);
        } else if (arg == "--connections") {
            opt.connections = static_cast<unsigned>(number(arg, v));
        } else if (arg == "--streams") {
            opt.streams = static_cast<unsigned>(number(arg, v));
        } else if (arg == "--ramp") {
            opt.ramp = number(arg, v);
        } else if (arg == "--timeout") {
            opt.timeout = number(arg, v);
        } else if (arg == "--body-file") {
            opt.body = read_file(v);
        } else if (arg == "--method") {
            opt.method = v;
        } else if (arg == "--header") {
            opt.headers.emplace_back(v);
        } else if (arg == "--stream-end") {
            opt.stream_end = v;
        } else if (arg == "--label") {
            opt.label = v;
        } else if (arg == "--timeline") {
            opt.timeline = v;
        } else {
            fail("unknown option '" + std::string(arg) + "'");
        }
    }
    if (!have_url) {
        fail("--url is required");
    }
    if (opt.rate == 0 && opt.connections == 0 && opt.streams == 0) {
        fail("one of --rate, --connections or --streams is required");
    }
    if (opt.method.empty()) {
        opt.method = opt.body.empty() ? "GET" : "POST";
    }
    return opt;
}

std::string request_bytes(const options& opt) {
    std::string s = opt.method + " " + opt.path + " HTTP/1.1\r\nHost: " + opt.host + ":" +
                    std::to_string(opt.port) + "\r\n";
    bool has_type = false;
    for (const auto& h : opt.headers) {
        s += h + "\r\n";
        if (h.size() >= 13 &&
            (h.compare(0, 13, "Content-Type:") == 0 || h.compare(0, 13, "content-type:") == 0)) {
            has_type = true;
        }
    }
    if (!opt.body.empty() || opt.method == "POST") {
        if (!has_type) {
            s += "Content-Type: application/json\r\n";
        }
        s += "Content-Length: " + std::to_string(opt.body.size()) + "\r\n";
    }
    s += "\r\n";
    s += opt.body;
    return s;
}

}  // namespace bench::load
