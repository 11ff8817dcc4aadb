// The fake upstream's HTTP server: one io_context per thread, each with its own listening
// socket on the shared port (SO_REUSEPORT), one coroutine per connection, timers for the
// pauses of streamed answers.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace bench::upstream {

/// How a streamed (or delayed) answer is paced. Each request may override the defaults with
/// the headers X-Bench-Chunks, X-Bench-Chunk-Gap-Ms, X-Bench-First-Byte-Ms or the query
/// parameters chunks, chunk_gap_ms, first_byte_ms.
struct pacing {
    unsigned chunks = 20;
    unsigned chunk_gap_ms = 5;
    unsigned first_byte_ms = 0;
};

struct options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    unsigned threads = 1;
    pacing defaults;
};

struct counters {
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> connections{0};
};

/// Serves until SIGINT or SIGTERM. Prints `listening on HOST:PORT` once bound.
int run(const options& opt, counters& count);

}  // namespace bench::upstream
