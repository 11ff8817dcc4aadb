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
[[gnu::cold]] core::api_error from_http_error(int status, std::string_view body,
                                              const core::header_fields& headers);

/// A transport failure (DNS, connect, TLS, reset, timeout, malformed): 502 provider_error.
[[gnu::cold]] core::api_error from_transport(const upstream::failure& f);

/// How a provider reads its upstream's HTTP error bodies.
using http_error_mapper = core::api_error (*)(int status, std::string_view body,
                                              const core::header_fields& headers);

/// The error of an upstream answer whose status is an HTTP error (≥ 400): its body read and
/// turned into our error by `map_error`. (A transport failure is from_transport's.) Callers
/// await the client themselves and this only on an error status: a good answer costs no
/// coroutine frame here.
awaitable<core::api_error> http_failure(upstream::response& res, http_error_mapper map_error);

}  // namespace hadrian::providers
