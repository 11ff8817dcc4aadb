// Per-host pool of idle keep-alive connections.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <vector>

#include "hadrian/core/io_mutex.hpp"
#include "upstream/connection.hpp"

namespace hadrian::upstream {

/// Idle connections keyed by scheme+host+port, most recently used first (LIFO), at most
/// `max_idle_per_host` per key; entries idle longer than `idle_ttl` are dropped on take().
/// Thread safety: all members may be called from any thread; one mutex guards the map and is
/// never held across a suspension (or while closing sockets). A connection in the pool has no
/// operation pending, so whoever takes it may use it from its own strand.
/// Lifetime: shared by the client and every live exchange (which returns its connection).
class pool {
public:
    pool(std::size_t max_idle_per_host, std::chrono::seconds idle_ttl);
    ~pool();
    pool(const pool&) = delete;
    pool& operator=(const pool&) = delete;

    /// The freshest usable idle connection for `key`, or null. Drops (and closes) expired ones
    /// and ones the server has closed.
    std::shared_ptr<connection> take(const pool_key& key);
    /// Parks an idle, open connection; closes the oldest of its key when over the bound.
    void put(std::shared_ptr<connection> conn);
    /// Closes every idle connection.
    void clear();
    std::size_t idle() const;

private:
    const std::size_t max_idle_per_host_;
    const std::chrono::seconds idle_ttl_;
    mutable core::io_mutex mutex_;
    std::map<pool_key, std::vector<std::shared_ptr<connection>>> idle_;  // oldest first
    std::size_t count_ = 0;
};

}  // namespace hadrian::upstream
