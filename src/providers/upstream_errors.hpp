// Turning upstream failures into the gateway's error shape.
#pragma once

#include <memory>
#include <string_view>

#include "hadrian/core/asio.hpp"
#include "hadrian/core/error.hpp"
#include "hadrian/upstream/client.hpp"

namespace hadrian::providers {

/// An upstream HTTP error (status ≥ 400): keeps the status; an OpenAI-shaped body keeps its
/// type, code, message and param; other bodies become `Upstream provider returned error: …`.
/// A `Retry-After` header is carried over.
core::api_error from_http_error(int status, std::string_view body,
                                const core::header_fields& headers);

/// A transport failure (DNS, connect, TLS, reset, timeout, malformed): 502 provider_error.
core::api_error from_transport(const upstream::failure& f);

/// How a provider reads its upstream's HTTP error bodies.
using http_error_mapper = core::api_error (*)(int status, std::string_view body,
                                              const core::header_fields& headers);

/// Send `req` and wait for the response header. A transport failure is 502 provider_error; an
/// HTTP error status (≥ 400) has its body read and turned into our error by `map_error`.
awaitable<result<std::unique_ptr<upstream::response>, core::api_error>> send_checked(
    upstream::client& client, upstream::request req, core::abort_signal* abort,
    http_error_mapper map_error);

}  // namespace hadrian::providers
