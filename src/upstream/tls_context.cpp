// One TLS client context per client; per connection: SNI, verify mode, host-name check.
#include "upstream/tls_context.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <cstdlib>
#include <filesystem>
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

/// Whether `dir` holds certificates under hashed names (`5ad8a5d6.0`, as c_rehash and
/// update-ca-certificates make them), which OpenSSL can look up one by one.
bool has_hashed_names(const char* dir) {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const auto dot = name.find('.');
        if (dot == 8 && name.size() > 9 && name.find_first_not_of("0123456789abcdef") == dot &&
            name.find_first_not_of("0123456789", dot + 1) == std::string::npos) {
            return true;
        }
    }
    return false;
}

/// Whether `file` is OpenSSL's default CA file under another name (as environments that
/// set SSL_CERT_FILE to the system bundle have it).
bool is_default_file(const char* file) {
    std::error_code ec;
    return std::filesystem::equivalent(file, X509_get_default_cert_file(), ec) && !ec;
}

/// Trusts the system's CA store, as OpenSSL's defaults do (SSL_CERT_FILE and SSL_CERT_DIR
/// honoured), but as a directory of hashed names when there is one and no other file is
/// named: a certificate is then read when a chain needs it, where the system bundle would be
/// parsed whole at start (about 1 MiB of memory for every CA, for a handful of upstreams).
/// The system's directory and bundle hold the same CAs (update-ca-certificates writes both).
void trust_system_store(asio::ssl::context& ctx) {
    const char* dir = std::getenv(X509_get_default_cert_dir_env());
    if (dir == nullptr) {
        dir = X509_get_default_cert_dir();
    }
    const char* file = std::getenv(X509_get_default_cert_file_env());
    error_code ec;
    if ((file == nullptr || is_default_file(file)) && has_hashed_names(dir)) {
        ctx.add_verify_path(dir, ec);
    } else {
        ctx.set_default_verify_paths(ec);
    }
    if (ec) {
        logger().warn("upstream TLS: no system CA store: {}", ec.message());
    }
}

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
    trust_system_store(*ctx);
    error_code ec;
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
