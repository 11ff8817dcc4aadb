// Access log middleware: one line per request after it completes. Never logs keys or bodies.
#pragma once

#include <chrono>
#include <string>

#include "hadrian/api/middleware.hpp"

namespace hadrian::api {

class gateway_metrics;

/// The access log's fields of a finished request: `key=value` pairs (an empty value is `-`),
/// or JSON members when `json`. Latencies are in milliseconds with three decimals.
void append_access_fields(std::string& out, const request_context& ctx,
                          std::chrono::microseconds total, std::chrono::microseconds overhead,
                          bool json);

/// Also feeds the request's duration and overhead into the metrics.
class access_log_middleware final : public middleware {
public:
    explicit access_log_middleware(gateway_metrics& metrics) : metrics_(metrics) {}
    verdict before(request_context& ctx) override;
    void after(request_context& ctx) override;

private:
    gateway_metrics& metrics_;
};

}  // namespace hadrian::api
