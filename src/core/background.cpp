#include "hadrian/core/background.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace hadrian::core {

struct background_tasks::slot {
    explicit slot(asio::io_context& ioc) : strand(asio::make_strand(ioc)) {}
    asio::strand<asio::io_context::executor_type> strand;
    abort_signal stop;  // touched on the strand only
};

void background_tasks::spawn(task t) {
    auto s = std::make_shared<slot>(ioc_);
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            return;
        }
        slots_.push_back(s);
        ++running_;
    }
    asio::co_spawn(
        s->strand, [s, t = std::move(t)]() -> awaitable<void> { co_await t(s->stop); },
        [this](const std::exception_ptr&) { finished(); });
}

void background_tasks::stop(std::function<void()> done) {
    std::vector<std::shared_ptr<slot>> slots;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        done_ = std::move(done);
        slots = slots_;
        if (running_ == 0) {
            auto d = std::move(done_);
            done_ = nullptr;
            if (d) {
                asio::post(ioc_, std::move(d));
            }
            return;
        }
    }
    for (auto& s : slots) {
        asio::post(s->strand, [s] { s->stop.abort(); });
    }
}

void background_tasks::finished() {
    std::function<void()> d;
    {
        std::lock_guard lock(mutex_);
        if (--running_ == 0 && stopping_) {
            d = std::move(done_);
            done_ = nullptr;
        }
    }
    if (d) {
        d();
    }
}

}  // namespace hadrian::core
