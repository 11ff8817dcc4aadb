// HTTPS against an in-test TLS server with a certificate generated for the run.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "client_harness.hpp"
#include "fake_server.hpp"
#include "test_tls.hpp"
#include "upstream/tls_context.hpp"

namespace hadrian::upstream::testing {
namespace {

reply hello(const seen_request& req, std::size_t i) {
    return content_reply("hello " + std::to_string(i) + " " + req.body);
}

class UpstreamTls : public ::testing::Test {
protected:
    void SetUp() override {
        cert_ = make_self_signed("localhost", "IP:127.0.0.1,DNS:localhost");
        ca_file_ = write_temp_file("ca", cert_.cert_pem);
        server_tls_ = server_context(cert_);
    }
    void TearDown() override { std::remove(ca_file_.c_str()); }

    client_options trusting() const {
        client_options options;
        options.ca_file = ca_file_;
        return options;
    }

    test_certificate cert_;
    std::string ca_file_;
    std::unique_ptr<asio::ssl::context> server_tls_;
};

TEST_F(UpstreamTls, TrustedCertificateSucceedsAndConnectionIsReused) {
    fake_server server(hello, server_tls_.get());
    client_harness h(trusting());
    for (int i = 0; i < 2; ++i) {
        auto sent = h.send(make_request(server.url("/v1"), http::verb::post, "body"));
        ASSERT_TRUE(sent.has_value()) << sent.error().message;
        EXPECT_EQ((*sent)->status(), 200);
        EXPECT_EQ(h.read_all(**sent).value(), "hello " + std::to_string(i) + " body");
        h.drop(std::move(*sent));
    }
    EXPECT_EQ(server.accepts(), 1u);
    EXPECT_EQ(h.get().idle_connections(), 1u);
    // No SNI for an IP literal.
    ASSERT_EQ(server.server_names().size(), 1u);
    EXPECT_EQ(server.server_names()[0], "");
}

TEST_F(UpstreamTls, HostNameGetsSniAndVerifies) {
    fake_server server(hello, server_tls_.get());
    client_harness h(trusting());
    auto sent = h.send(make_request(server.url("/", "localhost")));
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    EXPECT_EQ(h.read_all(**sent).value(), "hello 0 ");
    h.drop(std::move(*sent));
    ASSERT_FALSE(server.server_names().empty());
    EXPECT_EQ(server.server_names().back(), "localhost");
}

TEST_F(UpstreamTls, UntrustedCertificateFails) {
    fake_server server(hello, server_tls_.get());
    client_harness h;  // system store only
    const auto sent = h.send(make_request(server.url("/")));
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().ec, core::errc::provider_error);
    EXPECT_EQ(sent.error().message.rfind("TLS handshake failed: certificate verify failed", 0), 0u)
        << sent.error().message;
    EXPECT_EQ(server.requests(), 0u);
}

TEST_F(UpstreamTls, HostNameMismatchFails) {
    const auto other = make_self_signed("other.example", "DNS:other.example");
    const auto other_ca = write_temp_file("other_ca", other.cert_pem);
    const auto other_tls = server_context(other);
    fake_server server(hello, other_tls.get());
    client_options options;
    options.ca_file = other_ca;
    client_harness h(options);
    const auto sent = h.send(make_request(server.url("/")));
    std::remove(other_ca.c_str());
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().ec, core::errc::provider_error);
    EXPECT_NE(sent.error().message.find("hostname mismatch"), std::string::npos)
        << sent.error().message;
    EXPECT_EQ(server.requests(), 0u);
}

TEST_F(UpstreamTls, VerificationCanBeDisabled) {
    fake_server server(hello, server_tls_.get());
    client_options options;
    options.verify_peer = false;
    client_harness h(options);
    auto sent = h.send(make_request(server.url("/")));
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    EXPECT_EQ(h.read_all(**sent).value(), "hello 0 ");
    h.drop(std::move(*sent));
}

TEST_F(UpstreamTls, ServerClosedPooledTlsConnectionIsReplaced) {
    fake_server server(
        [](const seen_request& req, std::size_t i) {
            auto r = hello(req, i);
            r.close_after = true;
            return r;
        },
        server_tls_.get());
    client_harness h(trusting());
    for (int i = 0; i < 2; ++i) {
        auto sent = h.send(make_request(server.url("/")));
        ASSERT_TRUE(sent.has_value()) << sent.error().message;
        EXPECT_EQ(h.read_all(**sent).value(), "hello " + std::to_string(i) + " ");
        h.drop(std::move(*sent));
        ASSERT_TRUE(server.wait_for([&] { return server.server_closes() >= 1u + i; }));
    }
    EXPECT_EQ(server.accepts(), 2u);
}

/// Sets an environment variable (or unsets it, for nullptr) for the scope.
class scoped_env {
public:
    scoped_env(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) {
            old_ = old;
        }
        value != nullptr ? ::setenv(name, value, 1) : ::unsetenv(name);
    }
    ~scoped_env() { old_ ? ::setenv(name_, old_->c_str(), 1) : ::unsetenv(name_); }
    scoped_env(const scoped_env&) = delete;
    scoped_env& operator=(const scoped_env&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

/// A directory holding `cert` under its hashed name, as update-ca-certificates lays out the
/// system's store.
std::string hashed_store(const test_certificate& cert) {
    static int made = 0;
    const auto dir = std::filesystem::temp_directory_path() /
                     ("hadrian-ca-" + std::to_string(::getpid()) + "-" + std::to_string(++made));
    std::filesystem::create_directories(dir);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(cert.cert_pem.data(), static_cast<int>(cert.cert_pem.size())), &BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> x509(
        PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
    char name[16];
    std::snprintf(name, sizeof name, "%08lx.0", X509_subject_name_hash(x509.get()));
    std::ofstream(dir / name) << cert.cert_pem;
    return dir.string();
}

std::size_t trusted_in_memory(asio::ssl::context& ctx) {
    return static_cast<std::size_t>(
        sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx.native_handle()))));
}

TEST_F(UpstreamTls, SystemStoreIsReadCertificateByCertificate) {
    const std::string dir = hashed_store(cert_);
    const scoped_env no_file("SSL_CERT_FILE", nullptr);
    const scoped_env store("SSL_CERT_DIR", dir.c_str());
    // Nothing parsed ahead: the system bundle is not loaded whole.
    EXPECT_EQ(trusted_in_memory(*make_tls_context(client_options{})), 0u);
    fake_server server(hello, server_tls_.get());
    client_harness h;  // the system store only, which holds the test CA
    auto sent = h.send(make_request(server.url("/", "localhost")));
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    EXPECT_EQ(h.read_all(**sent).value(), "hello 0 ");
    h.drop(std::move(*sent));
    std::filesystem::remove_all(dir);
}

TEST_F(UpstreamTls, CertFileFromTheEnvironmentIsTrusted) {
    const std::string other_dir = hashed_store(make_self_signed("other", "DNS:other"));
    const scoped_env file("SSL_CERT_FILE", ca_file_.c_str());
    const scoped_env store("SSL_CERT_DIR", other_dir.c_str());
    EXPECT_EQ(trusted_in_memory(*make_tls_context(client_options{})), 1u);
    fake_server server(hello, server_tls_.get());
    client_harness h;
    auto sent = h.send(make_request(server.url("/", "localhost")));
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    h.drop(std::move(*sent));
    std::filesystem::remove_all(other_dir);
}

TEST(UpstreamTlsOptions, MissingCaFileThrowsAtConstruction) {
    asio::io_context ioc;
    client_options options;
    options.ca_file = "/nonexistent/hadrian-test-ca.pem";
    EXPECT_THROW(client(ioc, options), std::exception);
}

}  // namespace
}  // namespace hadrian::upstream::testing
