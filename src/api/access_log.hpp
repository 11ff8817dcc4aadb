// Access log middleware: one line per request after it completes. Never logs keys or bodies.
#pragma once

#include "hadrian/api/middleware.hpp"

namespace hadrian::api {

class gateway_metrics;

/// Also feeds the request's duration and overhead into the metrics.
class access_log_middleware final : public middleware {
public:
    explicit access_log_middleware(gateway_metrics& metrics) : metrics_(metrics) {}
    awaitable<void> handle(request_context& ctx, chain next) override;

private:
    gateway_metrics& metrics_;
};

}  // namespace hadrian::api
