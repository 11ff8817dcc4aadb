// Descriptor limit and table, prepared once at start.
#include "hadrian/server/descriptors.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>

namespace hadrian::server {

namespace {

/// FDSize from /proc/self/status: the slots of the descriptor table (0 when unknown).
std::size_t table_size() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("FDSize:", 0) == 0) {
            return static_cast<std::size_t>(std::stoull(line.substr(7)));
        }
    }
    return 0;
}

}  // namespace

descriptor_room prepare_descriptors(std::size_t table_cap) noexcept {
    descriptor_room room;
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) {
        return room;
    }
    if (lim.rlim_cur < lim.rlim_max) {
        const rlim_t before = lim.rlim_cur;
        lim.rlim_cur = lim.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) {
            lim.rlim_cur = before;
        }
    }
    room.limit = static_cast<std::size_t>(lim.rlim_cur);
    // A descriptor at the highest slot wanted makes the kernel size the table for it.
    const std::size_t want = std::min(room.limit, table_cap);
    if (want > 0) {
        const int probe = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (probe >= 0) {
            const int high = ::fcntl(probe, F_DUPFD_CLOEXEC, static_cast<int>(want - 1));
            if (high >= 0) {
                ::close(high);
            }
            ::close(probe);
        }
    }
    try {
        room.table = table_size();
    } catch (...) {
        room.table = 0;
    }
    return room;
}

}  // namespace hadrian::server
