#include "hadrian/core/send_batching.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>

namespace hadrian::core {

awaitable<void> end_of_turn() {
    co_await asio::post(co_await asio::this_coro::executor, use_nothrow);
}

}  // namespace hadrian::core
