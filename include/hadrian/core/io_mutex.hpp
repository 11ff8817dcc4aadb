/// A mutex for state that only the event loop's threads touch (the upstream pool, the rate
/// limiter's counters, the budget tracker, the key cache, the route memo): a lock when several
/// threads run the event loop, none when one thread runs it alone, since that thread already
/// runs every handler in turn. It saves the two atomic operations of each lock on a request's
/// path (about a dozen locks per request).
///
/// State that another thread touches too (the database thread's queue, the log's) keeps a
/// std::mutex.
#pragma once

#include <mutex>

namespace hadrian::core {

class io_mutex {
public:
    /// Called once by the server before the event loop starts and before any other thread
    /// does, when one thread will run the loop and nothing else touches this state. Until
    /// then (tests, tools) every io_mutex locks.
    static void set_single_thread(bool single) noexcept { single_thread_ = single; }

    void lock() {
        if (!single_thread_) {
            mutex_.lock();
        }
    }
    void unlock() {
        if (!single_thread_) {
            mutex_.unlock();
        }
    }

private:
    // Written before the threads that read it exist (their start orders the write first).
    static inline bool single_thread_ = false;
    std::mutex mutex_;
};

}  // namespace hadrian::core
