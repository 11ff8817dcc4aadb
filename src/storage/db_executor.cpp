#include "hadrian/storage/db_executor.hpp"

#include <pthread.h>
#include <sys/resource.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <stdexcept>

#include "hadrian/core/log.hpp"

namespace hadrian::storage {

// A pool of one thread: its queue is the database work queue, and join() runs it dry.
struct db_executor::thread {
    asio::thread_pool pool{1};
};

db_executor::db_executor(std::unique_ptr<store> s)
    : store_(std::move(s)), thread_(std::make_unique<thread>()) {
    if (!store_) {
        throw std::invalid_argument("db_executor needs a store");
    }
    executor_ = thread_->pool.get_executor();
    // Below the I/O threads in priority: a batch of usage records written on a shared core
    // would otherwise hold up requests for milliseconds (a latency spike every flush). On
    // Linux the nice value is per thread; the thread still gets a third of a busy core.
    // Named for top -H and perf.
    asio::post(executor_, [] {
        (void)::setpriority(PRIO_PROCESS, 0, 5);
        (void)::pthread_setname_np(::pthread_self(), "hadrian-db");
    });
}

db_executor::~db_executor() {
    // join() (unlike stop()) lets the thread finish everything queued before it returns.
    thread_->pool.join();
    executor_ = asio::any_io_executor();
    thread_.reset();
    store_.reset();
}

void db_executor::log_dropped(const char* what) noexcept {
    try {
        core::logger("storage")->error("a posted database call failed: {}", what);
    } catch (...) {
        // logging itself failed; nothing left to tell
    }
}

bool db_executor::on_database_thread() const noexcept {
    return thread_->pool.get_executor().running_in_this_thread();
}

}  // namespace hadrian::storage
