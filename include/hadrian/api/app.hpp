/// The application behind the listener: middleware pipeline + endpoints, built from config.
#pragma once

#include <atomic>
#include <memory>

#include "hadrian/api/context.hpp"
#include "hadrian/config/config.hpp"
#include "hadrian/providers/registry.hpp"
#include "hadrian/routing/router.hpp"

namespace hadrian::api {

/// Process-wide state the endpoints report (readiness during drain).
struct app_state {
    std::atomic<bool> draining{false};
};

/// Thread safety: handle() runs concurrently on many strands; everything it owns is immutable
/// after construction. Lifetime: outlives the server.
class app {
public:
    app(std::shared_ptr<const config::config> cfg, providers::registry& providers,
        app_state& state);
    ~app();

    /// Run one request through the pipeline. Never throws.
    awaitable<void> handle(request_context& ctx);

    const config::config& cfg() const noexcept { return *cfg_; }

private:
    struct impl;
    std::shared_ptr<const config::config> cfg_;
    std::unique_ptr<impl> impl_;
};

}  // namespace hadrian::api
