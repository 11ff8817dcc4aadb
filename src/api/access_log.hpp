// Access log middleware: one line per request after it completes. Never logs keys or bodies.
#pragma once

#include "hadrian/api/middleware.hpp"

namespace hadrian::api {

class access_log_middleware final : public middleware {
public:
    awaitable<void> handle(request_context& ctx, chain next) override;
};

}  // namespace hadrian::api
