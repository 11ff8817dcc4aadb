// bench-load: an open-loop fixed-rate (and closed-loop, and held-streams) HTTP/1.1 load
// client that counts latency from each request's scheduled send time.
#include <sys/resource.h>

#include <boost/asio.hpp>
#include <cstdio>

#include "engine.hpp"
#include "options.hpp"
#include "report.hpp"

int main(int argc, char** argv) {
    const auto opt = bench::load::parse_options(argc, argv);

    // Many connections need many descriptors: raise the soft limit to the hard one.
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &lim);
    }

    boost::asio::io_context io(1);
    bench::load::engine engine(io, opt);
    auto res = engine.run();
    const auto out =
        opt.json ? bench::load::report_json(opt, res) : bench::load::report_text(opt, res);
    std::fputs(out.c_str(), stdout);
    if (!opt.timeline.empty()) {
        if (FILE* f = std::fopen(opt.timeline.c_str(), "w")) {
            // The start on CLOCK_MONOTONIC lines the rows up with other traces (perf -k mono).
            std::fprintf(f, "# start_ns %lld\n", static_cast<long long>(res.start_ns));
            std::fputs("scheduled connected written head first_byte end\n", f);
            for (const auto& r : res.timeline) {
                std::fprintf(f, "%u %u %u %u %u %u\n", r[0], r[1], r[2], r[3], r[4], r[5]);
            }
            std::fclose(f);
        }
    }
    return 0;
}
