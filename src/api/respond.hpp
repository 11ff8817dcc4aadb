// Small helpers every endpoint uses to answer.
#pragma once

#include <nlohmann/json.hpp>

#include "hadrian/api/context.hpp"

namespace hadrian::api {

/// Send `err` in the contract's JSON shape with its status and extra headers, and record the
/// status and code in the context. Does nothing when a response already started.
[[gnu::cold]] awaitable<void> send_error(request_context& ctx, const core::api_error& err);

/// Send a JSON body with status 200 (or `status`).
awaitable<void> send_json(request_context& ctx, const nlohmann::json& body, int status = 200);

}  // namespace hadrian::api
