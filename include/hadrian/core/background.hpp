/// Long-running background loops (health probes, model list refreshes) that stop cleanly at
/// shutdown: each runs on its own strand with its own stop signal.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "hadrian/core/abort_signal.hpp"
#include "hadrian/core/asio.hpp"

namespace hadrian::core {

/// Thread safety: spawn() and stop() may be called from any thread.
/// Lifetime: outlives the io_context's run (stop() and wait for `done` before destroying
/// what the tasks use).
class background_tasks {
public:
    /// A task runs until it returns; it must return soon after `stop` is raised (use it as
    /// the abort signal of its waits and upstream calls).
    using task = std::function<awaitable<void>(abort_signal& stop)>;

    explicit background_tasks(asio::io_context& ioc) : ioc_(ioc) {}

    void spawn(task t);

    /// Raise every task's stop signal, then call `done` once all of them have returned (at
    /// once when none runs). Call it once.
    void stop(std::function<void()> done);

private:
    struct slot;
    void finished();

    asio::io_context& ioc_;
    std::mutex mutex_;
    std::vector<std::shared_ptr<slot>> slots_;
    std::size_t running_ = 0;
    bool stopping_ = false;
    std::function<void()> done_;
};

}  // namespace hadrian::core
