// Asynchronous DNS lookup that gives up at a deadline or when cancelled.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "hadrian/core/asio.hpp"

namespace hadrian::upstream {

/// One lookup with tcp::resolver raced against a deadline. getaddrinfo cannot be interrupted,
/// so on timeout or cancel() the caller stops waiting and the late answer is dropped.
/// Thread safety: none; create it on the awaiting coroutine's strand (its resolver and timer
/// complete there) and call cancel() from that strand.
/// Lifetime: shared with the pending resolver handler, so it may outlive the caller.
class dns_lookup : public std::enable_shared_from_this<dns_lookup> {
public:
    explicit dns_lookup(const asio::any_io_executor& strand);

    /// Resolves host:port. Errors: beast::error::timeout at the deadline,
    /// asio::error::operation_aborted after cancel(), else the resolver's error.
    awaitable<result<asio::ip::tcp::resolver::results_type>> resolve(
        std::string host, std::uint16_t port, std::chrono::steady_clock::time_point deadline);

    /// Wakes the waiting resolve() with operation_aborted.
    void cancel();

private:
    asio::ip::tcp::resolver resolver_;
    asio::steady_timer wake_;
    bool done_ = false;
    bool cancelled_ = false;
    error_code ec_;
    asio::ip::tcp::resolver::results_type results_;
};

}  // namespace hadrian::upstream
