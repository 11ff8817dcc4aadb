// Error boundary: a bug in anything inside becomes a logged 500 internal_error, never a crash.
#pragma once

#include "hadrian/api/middleware.hpp"

namespace hadrian::api {

class error_boundary_middleware final : public middleware {
public:
    awaitable<void> handle(request_context& ctx, chain next) override;
};

}  // namespace hadrian::api
