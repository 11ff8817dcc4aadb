#include "google_auth.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "upstream_errors.hpp"
#include "vertex_translate.hpp"

namespace hadrian::providers::google_jwt {

namespace {

constexpr std::string_view scope = "https://www.googleapis.com/auth/cloud-platform";

}  // namespace

std::string base64url(std::string_view bytes) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (bytes.size() - i == 1) {
        const std::uint32_t v = byte(i) << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
    } else if (bytes.size() - i == 2) {
        const std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
    }
    return out;
}

nlohmann::json claims(std::string_view client_email, std::string_view token_uri,
                      std::int64_t now_secs) {
    return {{"iss", client_email},
            {"scope", scope},
            {"aud", token_uri},
            {"iat", now_secs},
            {"exp", now_secs + 3600}};
}

std::optional<std::string> sign_rs256(std::string_view private_key_pem,
                                      const nlohmann::json& claims) {
    const nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}};
    const std::string input = base64url(header.dump()) + "." + base64url(claims.dump());

    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())),
        &BIO_free);
    if (!bio) {
        return std::nullopt;
    }
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    if (!key) {
        return std::nullopt;
    }
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    std::size_t length = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &length,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
        return std::nullopt;
    }
    std::string signature(length, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
        return std::nullopt;
    }
    signature.resize(length);
    return input + "." + base64url(signature);
}

std::string token_request_body(std::string_view assertion) {
    return "grant_type=" + gemini::model_segment("urn:ietf:params:oauth:grant-type:jwt-bearer") +
           "&assertion=" + gemini::model_segment(assertion);
}

}  // namespace hadrian::providers::google_jwt

namespace hadrian::providers {

namespace {

core::api_error auth_failed(std::string why) {
    return core::api_error::make(core::errc::provider_error,
                                 "Upstream provider returned error: " + std::move(why));
}

}  // namespace

google_auth::google_auth(const std::string& key_path) {
    std::ifstream in(key_path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read the service account key file " + key_path);
    }
    std::stringstream text;
    text << in.rdbuf();
    const auto key = nlohmann::json::parse(text.str(), nullptr, false);
    if (key.is_discarded() || !key.is_object()) {
        throw std::runtime_error("the service account key file " + key_path + " is not JSON");
    }
    client_email_ = key.value("client_email", std::string());
    private_key_pem_ = key.value("private_key", std::string());
    token_uri_ = key.value("token_uri", std::string("https://oauth2.googleapis.com/token"));
    if (client_email_.empty() || private_key_pem_.empty()) {
        throw std::runtime_error("the service account key file " + key_path +
                                 " has no client_email or private_key");
    }
    auto url = upstream::url::parse(token_uri_);
    if (!url) {
        throw std::runtime_error("the service account key file " + key_path +
                                 " has an unusable token_uri");
    }
    token_url_ = std::move(*url);
    // Sign once now so that an unusable key stops the startup, not the first request.
    if (!google_jwt::sign_rs256(private_key_pem_,
                                google_jwt::claims(client_email_, token_uri_, 0))) {
        throw std::runtime_error("the private_key of " + key_path + " is not a usable PEM key");
    }
}

awaitable<result<std::string, core::api_error>> google_auth::token(upstream::client& client,
                                                                   core::abort_signal* abort) {
    {
        std::lock_guard lock(mutex_);
        if (!cached_.empty() && std::chrono::steady_clock::now() < refresh_at_) {
            co_return cached_;
        }
    }
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    auto jwt = google_jwt::sign_rs256(private_key_pem_,
                                      google_jwt::claims(client_email_, token_uri_, now));
    if (!jwt) {
        co_return auth_failed("could not sign the service account assertion");
    }
    upstream::request req;
    req.method = http::verb::post;
    req.target = token_url_;
    req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    req.headers.emplace_back("Accept", "application/json");
    req.body = google_jwt::token_request_body(*jwt);
    req.limits.total = std::chrono::seconds(30);
    req.limits.first_byte = std::chrono::seconds(30);
    req.limits.idle = std::chrono::seconds(30);

    std::string body;
    int status = 0;
    {
        auto sent = co_await client.send(std::move(req), abort);
        if (!sent) {
            co_return from_transport(sent.error());
        }
        std::unique_ptr<upstream::response> res = std::move(*sent);
        status = res->status();
        auto all = co_await res->read_all();
        if (!all) {
            co_return from_transport(all.error());
        }
        body = std::move(*all);
    }
    if (status >= 400) {
        auto err = auth_failed("token exchange failed with HTTP " + std::to_string(status));
        err.status = 502;
        co_return err;
    }
    const auto parsed = nlohmann::json::parse(body, nullptr, false);
    const auto token = parsed.is_object() ? parsed.find("access_token") : parsed.end();
    if (parsed.is_discarded() || !parsed.is_object() || token == parsed.end() ||
        !token->is_string()) {
        co_return auth_failed("token exchange returned no access_token");
    }
    std::int64_t lifetime = 3600;
    if (auto e = parsed.find("expires_in"); e != parsed.end() && e->is_number_integer()) {
        lifetime = e->get<std::int64_t>();
    }
    // Refresh five minutes early (or halfway for very short lifetimes).
    const std::int64_t margin = std::min<std::int64_t>(300, lifetime / 2);
    std::string value = token->get<std::string>();
    {
        std::lock_guard lock(mutex_);
        cached_ = value;
        refresh_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(lifetime - margin);
    }
    co_return value;
}

}  // namespace hadrian::providers
