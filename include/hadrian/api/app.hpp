/// The application behind the listener: middleware pipeline + endpoints, built from config.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <memory>

#include "hadrian/api/context.hpp"
#include "hadrian/config/config.hpp"
#include "hadrian/providers/registry.hpp"
#include "hadrian/storage/db_executor.hpp"

namespace hadrian::api {

/// Process-wide state the endpoints report (readiness during drain).
struct app_state {
    std::atomic<bool> draining{false};
};

/// Thread safety: handle() runs concurrently on many strands; what it shares is immutable or
/// internally synchronized. Lifetime: outlives the server; the db_executor outlives it.
class app {
public:
    /// `db` is null when no database is configured (then keys and usage records are off).
    app(std::shared_ptr<const config::config> cfg, providers::registry& providers, app_state& state,
        storage::db_executor* db);
    ~app();

    /// Start background work (the batched usage writer) on `ioc`.
    void start(asio::io_context& ioc);

    /// Run one request through the pipeline. Never throws.
    awaitable<void> handle(request_context& ctx);

    /// Write every pending usage record now (shutdown, after the I/O threads stopped).
    void flush();

    const config::config& cfg() const noexcept { return *cfg_; }

private:
    struct impl;
    std::shared_ptr<const config::config> cfg_;
    std::unique_ptr<impl> impl_;
};

}  // namespace hadrian::api
