/// The HTTP/1.1 listener: accepts connections, runs one session per connection on its own
/// strand, and drains on shutdown.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>

#include "hadrian/api/app.hpp"
#include "hadrian/config/config.hpp"

namespace hadrian::server {

/// Thread safety: start() and begin_shutdown() may be called from any thread; sessions run on
/// their own strands. Lifetime: must outlive the io_context's run() calls.
class server {
public:
    server(asio::io_context& ioc, const config::server_config& cfg, api::app& app,
           api::app_state& state);
    ~server();

    /// Bind and listen (throws on failure: a startup error), then accept in the background.
    void start();

    /// The bound port (after start(); useful with port 0).
    std::uint16_t port() const noexcept;

    /// Stop accepting, mark not-ready, close idle keep-alive connections; active requests run
    /// on and their connections close after the response. Calls `on_drained` (on an I/O
    /// thread) when no connection is left or after `cfg.shutdown_timeout_secs`, when the rest
    /// are closed by force.
    void begin_shutdown(std::function<void()> on_drained);

    /// Open connections now.
    std::size_t connections() const noexcept;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace hadrian::server
