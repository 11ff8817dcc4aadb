// Test certificates built with the OpenSSL 3 API.
#include "test_tls.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/buffer.hpp>
#include <fstream>
#include <stdexcept>

namespace hadrian::upstream::testing {
namespace {

template <class T, void (*Free)(T*)>
struct openssl_deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, openssl_deleter<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO, BIO_free_all>>;

void check(bool ok, const char* what) {
    if (!ok) {
        throw std::runtime_error(std::string("test certificate: ") + what);
    }
}

void add_extension(X509* cert, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    check(ext != nullptr, "extension");
    const int added = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    check(added == 1, "add extension");
}

std::string drain(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

test_certificate make_self_signed(std::string_view common_name,
                                  std::string_view subject_alt_names) {
    pkey_ptr key(EVP_EC_gen("P-256"));
    check(key != nullptr, "key");
    x509_ptr cert(X509_new());
    check(cert != nullptr, "X509_new");
    static std::atomic<long> serial{1};
    check(X509_set_version(cert.get(), 2) == 1, "version");
    check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++) == 1, "serial");
    check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24L * 3600) != nullptr, "notBefore");
    check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24L * 3600) != nullptr, "notAfter");
    check(X509_set_pubkey(cert.get(), key.get()) == 1, "pubkey");
    X509_NAME* name = X509_get_subject_name(cert.get());
    const std::string cn(common_name);
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                     0) == 1,
          "CN");
    check(X509_set_issuer_name(cert.get(), name) == 1, "issuer");
    add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
    add_extension(cert.get(), NID_subject_key_identifier, "hash");
    add_extension(cert.get(), NID_subject_alt_name, std::string(subject_alt_names));
    check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "sign");

    bio_ptr cert_bio(BIO_new(BIO_s_mem()));
    bio_ptr key_bio(BIO_new(BIO_s_mem()));
    check(PEM_write_bio_X509(cert_bio.get(), cert.get()) == 1, "cert PEM");
    check(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                   nullptr) == 1,
          "key PEM");
    return test_certificate{drain(cert_bio.get()), drain(key_bio.get())};
}

std::unique_ptr<boost::asio::ssl::context> server_context(const test_certificate& cert) {
    auto ctx = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->use_certificate_chain(boost::asio::buffer(cert.cert_pem));
    ctx->use_private_key(boost::asio::buffer(cert.key_pem), boost::asio::ssl::context::pem);
    return ctx;
}

std::string write_temp_file(std::string_view stem, std::string_view contents) {
    static std::atomic<int> counter{0};
    const std::string path = ::testing::TempDir() + "hadrian_upstream_" + std::string(stem) + "_" +
                             std::to_string(::getpid()) + "_" + std::to_string(counter++);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << contents;
    out.close();
    if (!out) {
        throw std::runtime_error("cannot write " + path);
    }
    return path;
}

}  // namespace hadrian::upstream::testing
