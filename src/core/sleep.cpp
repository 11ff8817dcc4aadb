#include "hadrian/core/sleep.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

namespace hadrian::core {

awaitable<bool> sleep_for(std::chrono::milliseconds delay, abort_signal* abort) {
    if (abort != nullptr && abort->aborted()) {
        co_return false;
    }
    if (delay.count() <= 0) {
        co_return true;
    }
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    if (abort != nullptr) {
        abort->on_abort([&timer] { timer.cancel(); });
    }
    auto [ec] = co_await timer.async_wait(use_nothrow);
    if (abort != nullptr) {
        abort->clear();
    }
    co_return !ec && (abort == nullptr || !abort->aborted());
}

}  // namespace hadrian::core
