/// The database thread: runs blocking store calls off the I/O threads.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <concepts>
#include <exception>
#include <future>
#include <memory>
#include <type_traits>
#include <utility>

#include "hadrian/core/asio.hpp"
#include "hadrian/storage/store.hpp"

namespace hadrian::storage {

/// Owns a store and the one thread that uses it. Calls queue up and run one at a time, in the
/// order submitted, so the store needs no locking of its own.
///
/// Thread safety: run(), run_sync() and post() may be called from any thread, concurrently.
/// Lifetime: must outlive every pending run() and post(); the destructor first runs every
/// queued call (so a final usage flush submitted before it is not lost), then joins the thread and
/// destroys the store. Submitting calls while the destructor runs is a bug. Destroy it before
/// the io_context whose coroutines await it.
class db_executor {
public:
    /// Takes ownership of `s` (must not be null) and starts the database thread.
    explicit db_executor(std::unique_ptr<store> s);
    ~db_executor();

    db_executor(const db_executor&) = delete;
    db_executor& operator=(const db_executor&) = delete;

    /// Runs `f(store&)` on the database thread; the awaiting coroutine resumes on its own
    /// executor with f's result. An exception thrown by `f` is rethrown in the awaiting
    /// coroutine (store calls themselves report failures as results, not exceptions).
    /// `f` is moved to the database thread: capture by value.
    template <std::invocable<store&> F>
    awaitable<std::invoke_result_t<F&, store&>> run(F f) {
        return asio::co_spawn(executor_, invoke_on(store_.get(), std::move(f)),
                              asio::use_awaitable);
    }

    /// Runs `f(store&)` on the database thread and blocks until it is done (for the CLI and
    /// startup; never on an I/O thread). Called on the database thread itself, runs inline.
    template <std::invocable<store&> F>
    std::invoke_result_t<F&, store&> run_sync(F f) {
        using value_type = std::invoke_result_t<F&, store&>;
        if (on_database_thread()) {
            return f(*store_);
        }
        std::packaged_task<value_type()> task(
            [s = store_.get(), fn = std::move(f)]() mutable { return fn(*s); });
        auto done = task.get_future();
        // Wrapped: Asio would take a bare packaged_task for a completion token.
        asio::post(executor_, [t = std::move(task)]() mutable { t(); });
        return done.get();
    }

    /// Runs `f(store&)` on the database thread without waiting for it: a write whose outcome
    /// only the log needs (f logs its own failures). Queued in submission order together with
    /// run(), so a run() submitted afterwards sees what `f` wrote. An exception thrown by `f`
    /// is logged and dropped.
    template <std::invocable<store&> F>
    void post(F f) {
        asio::post(executor_, [s = store_.get(), fn = std::move(f)]() mutable {
            try {
                (void)fn(*s);
            } catch (const std::exception& e) {
                log_dropped(e.what());
            } catch (...) {
                log_dropped("unknown exception");
            }
        });
    }

    /// Whether the calling thread is the database thread.
    bool on_database_thread() const noexcept;

private:
    static void log_dropped(const char* what) noexcept;

    template <class F>
    static awaitable<std::invoke_result_t<F&, store&>> invoke_on(store* s, F f) {
        co_return f(*s);
    }

    struct thread;
    std::unique_ptr<store> store_;
    std::unique_ptr<thread> thread_;
    asio::any_io_executor executor_;
};

}  // namespace hadrian::storage
