// Self-signed certificates made at test time (no key material in the repository).
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace hadrian::upstream::testing {

struct test_certificate {
    std::string cert_pem;
    std::string key_pem;
};

/// A P-256 self-signed certificate (CA:TRUE, valid a day either side of now) for
/// `subject_alt_names`, e.g. "IP:127.0.0.1,DNS:localhost". Throws on OpenSSL failure.
test_certificate make_self_signed(std::string_view common_name, std::string_view subject_alt_names);

/// A TLS 1.2+ server context presenting `cert`.
std::unique_ptr<boost::asio::ssl::context> server_context(const test_certificate& cert);

/// Writes `contents` to a new file in the test temp directory; returns its path.
std::string write_temp_file(std::string_view stem, std::string_view contents);

}  // namespace hadrian::upstream::testing
