// DNS with a deadline: the coroutine sleeps on a timer that the resolver's handler cancels
// when the answer arrives; whichever comes first wins, both on the same strand.
#include "upstream/dns_lookup.hpp"

#include <boost/beast/core/error.hpp>

namespace hadrian::upstream {

dns_lookup::dns_lookup(const asio::any_io_executor& strand) : resolver_(strand), wake_(strand) {}

awaitable<result<asio::ip::tcp::resolver::results_type>> dns_lookup::resolve(
    std::string host, std::uint16_t port, std::chrono::steady_clock::time_point deadline) {
    wake_.expires_at(deadline);
    resolver_.async_resolve(
        host, std::to_string(port), asio::ip::tcp::resolver::numeric_service,
        [self = shared_from_this()](const error_code& ec,
                                    asio::ip::tcp::resolver::results_type results) {
            if (self->done_) {
                return;
            }
            self->done_ = true;
            self->ec_ = ec;
            self->results_ = std::move(results);
            self->wake_.cancel();
        });
    co_await wake_.async_wait(use_nothrow);  // woken by the answer, cancel() or the deadline
    if (done_) {
        if (ec_) {
            co_return ec_;
        }
        co_return results_;
    }
    done_ = true;
    resolver_.cancel();
    if (cancelled_) {
        co_return error_code{asio::error::operation_aborted};
    }
    co_return error_code{beast::error::timeout};
}

void dns_lookup::cancel() {
    cancelled_ = true;
    wake_.cancel();
}

}  // namespace hadrian::upstream
