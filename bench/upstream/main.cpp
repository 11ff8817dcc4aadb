// bench-upstream: a fast fake OpenAI/Anthropic upstream for the benchmark.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "server.hpp"

namespace {

constexpr const char* usage = R"(Usage: bench-upstream [options]
  --host ADDR            listen address (127.0.0.1)
  --port N               listen port (0: any free port; the chosen one is printed)
  --threads N            server threads, one event loop each (1)
  --chunks N             content chunks of a streamed answer (20)
  --chunk-gap-ms N       pause between two chunks (5)
  --first-byte-ms N      pause before the answer starts, streamed or not (0)
Routes: POST .../chat/completions (streams when the body has "stream": true),
        POST .../messages (Anthropic), GET .../models.
A request may override the pacing with X-Bench-Chunks, X-Bench-Chunk-Gap-Ms,
X-Bench-First-Byte-Ms headers or chunks=, chunk_gap_ms=, first_byte_ms= query parameters.
)";

unsigned number(const char* flag, const char* text) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v > 10'000'000) {
        std::fprintf(stderr, "bench-upstream: %s needs a number, got '%s'\n", flag, text);
        std::exit(2);
    }
    return static_cast<unsigned>(v);
}

}  // namespace

int main(int argc, char** argv) {
    bench::upstream::options opt;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage, stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "bench-upstream: unknown or incomplete option '%s'\n%s", argv[i],
                         usage);
            return 2;
        }
        const char* value = argv[++i];
        if (arg == "--host") {
            opt.host = value;
        } else if (arg == "--port") {
            opt.port = static_cast<std::uint16_t>(number(argv[i - 1], value));
        } else if (arg == "--threads") {
            opt.threads = std::max(1u, number(argv[i - 1], value));
        } else if (arg == "--chunks") {
            opt.defaults.chunks = std::max(1u, number(argv[i - 1], value));
        } else if (arg == "--chunk-gap-ms") {
            opt.defaults.chunk_gap_ms = number(argv[i - 1], value);
        } else if (arg == "--first-byte-ms") {
            opt.defaults.first_byte_ms = number(argv[i - 1], value);
        } else {
            std::fprintf(stderr, "bench-upstream: unknown option '%s'\n%s", argv[i - 1], usage);
            return 2;
        }
    }
    bench::upstream::counters count;
    return bench::upstream::run(opt, count);
}
