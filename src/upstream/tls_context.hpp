// The client's TLS configuration: one shared context, per-stream SNI and verification.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>
#include <string>

#include "hadrian/upstream/client.hpp"

namespace hadrian::upstream {

using tls_stream = beast::ssl_stream<beast::tcp_stream>;

/// TLS 1.2+ client context with the system CA store plus `options.ca_file`; verify_peer unless
/// `options.verify_peer` is false. Throws (at startup) when the CA file cannot be loaded.
/// Thread safety: read-only after construction, shared by every connection.
std::shared_ptr<asio::ssl::context> make_tls_context(const client_options& options);

/// Prepares a stream for `host` before its handshake: SNI (not for IP literals), the verify
/// mode, and host-name verification that records a mismatch as "hostname mismatch".
error_code prepare_tls_stream(tls_stream& stream, const std::string& host, bool verify_peer);

/// "TLS handshake failed: <reason>" with the certificate verdict when there is one, e.g.
/// "… certificate verify failed (self-signed certificate)".
failure tls_handshake_failure(tls_stream& stream, const error_code& ec);

}  // namespace hadrian::upstream
