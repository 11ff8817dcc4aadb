// Usage records written in batches off the request path.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "hadrian/core/asio.hpp"
#include "hadrian/storage/db_executor.hpp"

namespace hadrian::api {

/// Collects one usage record per request and writes them to the database in transactions of
/// at most `batch_size` rows: as soon as `batch_size` records wait (under load, while they are
/// still in the CPU's caches), else every `interval`. A failed write keeps the rows for the
/// next attempt, an interval later. At most `max_pending` records wait: when full, the oldest
/// tenth is dropped at once and counted in the log.
/// The records wait in chunks of `batch_size`, each written in one transaction: a backlog
/// (a database slower than the requests for a while) is handed over and given back a chunk
/// at a time, never moved into memory of its own on the I/O thread.
/// Thread safety: record() may be called from any thread. Lifetime: start() once; flush()
/// at shutdown after the I/O threads stopped, before the db_executor is destroyed; destroyed
/// before the io_context given to start().
class usage_writer {
public:
    usage_writer(storage::db_executor& db, std::chrono::milliseconds interval,
                 std::size_t batch_size = 256, std::size_t max_pending = 200'000);

    /// Queue one record (never blocks on the database).
    void record(storage::usage_record r);

    /// Start the periodic flush on `ioc`.
    void start(asio::io_context& ioc);

    /// Write everything pending now, blocking (shutdown and CLI only).
    void flush();

    /// Records queued and not yet handed to the database.
    std::size_t pending() const;

private:
    using chunk = std::vector<storage::usage_record>;

    awaitable<void> flush_loop();
    /// The waiting chunks, oldest first: all of them, or all but the last while it still
    /// fills (`full_only`).
    std::deque<chunk> take(bool full_only);
    /// `chunks` from `from` on, unwritten, go back before those that came meanwhile.
    void give_back(std::deque<chunk>& chunks, std::size_t from);
    /// A written chunk, emptied, kept for the next records (one at most).
    void recycle(chunk c);
    /// Drops the oldest records until `keep` are left; returns how many went. Holds mutex_.
    std::size_t drop_oldest_locked(std::size_t keep);
    /// Whether take(true) would find something.
    bool full_chunk_waiting() const;

    storage::db_executor& db_;
    std::chrono::milliseconds interval_;
    std::size_t batch_size_;
    std::size_t max_pending_;
    mutable std::mutex mutex_;
    std::deque<chunk> chunks_;  // oldest first; only the last one fills
    std::size_t pending_ = 0;   // records in chunks_
    chunk spare_;               // an emptied chunk with its capacity
    // Set by start(): the flush loop runs on the strand and waits on the timer, which
    // record() cancels when a batch is ready.
    std::optional<asio::strand<asio::io_context::executor_type>> strand_;
    std::unique_ptr<asio::steady_timer> timer_;
};

}  // namespace hadrian::api
