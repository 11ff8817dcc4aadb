#include "single_flight.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

namespace hadrian::api {

struct single_flight::waiter {
    explicit waiter(const asio::any_io_executor& ex)
        : timer(ex, std::chrono::steady_clock::time_point::max()) {}
    asio::steady_timer timer;  // waited on until the leader is done; touched on its executor
};

awaitable<bool> single_flight::join(const std::string& key) {
    const auto executor = co_await asio::this_coro::executor;
    std::shared_ptr<waiter> me;
    {
        std::lock_guard lock(mutex_);
        auto it = flights_.find(key);
        if (it == flights_.end()) {
            flights_.emplace(key, std::vector<std::shared_ptr<waiter>>{});
            co_return true;
        }
        me = std::make_shared<waiter>(executor);
        it->second.push_back(me);
    }
    co_await me->timer.async_wait(use_nothrow);
    co_return false;
}

void single_flight::done(const std::string& key) {
    std::vector<std::shared_ptr<waiter>> waiters;
    {
        std::lock_guard lock(mutex_);
        auto it = flights_.find(key);
        if (it == flights_.end()) {
            return;
        }
        waiters = std::move(it->second);
        flights_.erase(it);
    }
    for (auto& w : waiters) {
        // An expiry in the past ends a wait in progress and one that has not started yet.
        asio::post(w->timer.get_executor(),
                   [w] { w->timer.expires_at(std::chrono::steady_clock::time_point::min()); });
    }
}

}  // namespace hadrian::api
