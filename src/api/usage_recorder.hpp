// Usage middleware: one usage record per model request, whatever its outcome.
#pragma once

#include "hadrian/api/middleware.hpp"
#include "usage_writer.hpp"

namespace hadrian::api {

/// Sits outside auth and limits so rejected requests are recorded too.
class usage_recorder_middleware final : public middleware {
public:
    explicit usage_recorder_middleware(usage_writer& writer) : writer_(writer) {}

    verdict before(request_context& ctx) override;
    void after(request_context& ctx) override;

private:
    usage_writer& writer_;
};

}  // namespace hadrian::api
