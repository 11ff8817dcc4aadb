// Request id middleware: the client's X-Request-Id when it is sane, else a new UUID v4.
#pragma once

#include "hadrian/api/middleware.hpp"

namespace hadrian::api {

class request_id_middleware final : public middleware {
public:
    verdict before(request_context& ctx) override;
};

/// Whether a client-sent id may be echoed: 1..128 chars of [A-Za-z0-9-_.:].
bool acceptable_request_id(std::string_view id) noexcept;

}  // namespace hadrian::api
