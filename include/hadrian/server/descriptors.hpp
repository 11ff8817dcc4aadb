/// Room for thousands of connections: the descriptor limit and the process's descriptor table.
#pragma once

#include <cstddef>

namespace hadrian::server {

struct descriptor_room {
    std::size_t limit = 0;  // the soft RLIMIT_NOFILE after raising it
    std::size_t table = 0;  // descriptors the table holds without growing (FDSize)
};

/// Raises the soft descriptor limit to the hard one, then grows the descriptor table to hold
/// that many descriptors (at most `table_cap`) before any connection needs them.
///
/// The kernel grows the table by doubling as descriptors are opened, and in a process with
/// more than one thread each growth waits for an RCU grace period: the accept() that crosses
/// 256, 512, … 8,192 open descriptors blocks the event loop for 10 to 20 ms, and every client
/// arriving meanwhile waits. Grown here, before any other thread exists, it waits for nothing,
/// and the table never shrinks. The table is kernel memory, 8 bytes a slot (`table_cap`
/// 65,536: 512 KiB), none of it in the gateway's RSS.
descriptor_room prepare_descriptors(std::size_t table_cap = 65536) noexcept;

}  // namespace hadrian::server
