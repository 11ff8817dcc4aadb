// One TLS client context per client; per connection: SNI, verify mode, host-name check.
#include "upstream/tls_context.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <stdexcept>

#include "upstream/failure.hpp"

namespace hadrian::upstream {
namespace {

// asio's host_name_verification only answers yes or no; it leaves the store's error at "ok",
// so a mismatch would read as "certificate verify failed (ok)". Record the real reason.
class verify_host {
public:
    explicit verify_host(std::string host) : check_(std::move(host)) {}

    bool operator()(bool preverified, asio::ssl::verify_context& ctx) const {
        const bool ok = check_(preverified, ctx);
        X509_STORE_CTX* store = ctx.native_handle();
        if (!ok && preverified && X509_STORE_CTX_get_error(store) == X509_V_OK) {
            X509_STORE_CTX_set_error(store, X509_V_ERR_HOSTNAME_MISMATCH);
        }
        return ok;
    }

private:
    asio::ssl::host_name_verification check_;
};

bool is_ip_literal(const std::string& host) {
    error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

}  // namespace

std::shared_ptr<asio::ssl::context> make_tls_context(const client_options& options) {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
        throw std::runtime_error("upstream TLS: cannot require TLS 1.2");
    }
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3);
    error_code ec;
    ctx->set_default_verify_paths(ec);
    if (ec) {
        logger().warn("upstream TLS: no system CA store: {}", ec.message());
    }
    if (!options.ca_file.empty()) {
        ctx->load_verify_file(options.ca_file, ec);
        if (ec) {
            throw std::runtime_error("upstream TLS: cannot load CA file " + options.ca_file + ": " +
                                     ec.message());
        }
    }
    ctx->set_verify_mode(options.verify_peer ? asio::ssl::verify_peer : asio::ssl::verify_none);
    return ctx;
}

error_code prepare_tls_stream(tls_stream& stream, const std::string& host, bool verify_peer) {
    error_code ec;
    if (!is_ip_literal(host) &&
        SSL_set_tlsext_host_name(stream.native_handle(), host.c_str()) != 1) {
        return asio::error::invalid_argument;
    }
    if (!verify_peer) {
        stream.set_verify_mode(asio::ssl::verify_none, ec);
        return ec;
    }
    stream.set_verify_mode(asio::ssl::verify_peer, ec);
    if (!ec) {
        stream.set_verify_callback(verify_host(host), ec);
    }
    return ec;
}

failure tls_handshake_failure(tls_stream& stream, const error_code& ec) {
    std::string reason = describe(ec);
    const long verdict = SSL_get_verify_result(stream.native_handle());
    if (verdict != X509_V_OK) {
        reason += " (";
        reason += X509_verify_cert_error_string(verdict);
        reason += ")";
    }
    return provider_failure("TLS handshake failed: " + reason);
}

}  // namespace hadrian::upstream
