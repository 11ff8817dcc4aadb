/// AWS Bedrock through the Converse and ConverseStream APIs, signed with SigV4: Chat
/// Completions translated (bedrock_translate), Responses through the shared bridge.
#pragma once

#include <chrono>

#include "hadrian/config/config.hpp"
#include "hadrian/upstream/client.hpp"
#include "sigv4.hpp"
#include "translated_provider.hpp"

namespace hadrian::providers {

/// `POST {base}/model/{model}/converse` (or `/converse-stream`), base
/// `https://bedrock-runtime.{region}.amazonaws.com` unless `base_url` replaces it. Credentials
/// are `[credentials] type = "static"` (access_key_id, secret_access_key, session_token) or
/// `"env"` (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), also the default
/// when no credentials table is given; both are read once, at construction.
/// Thread safety: send() may run concurrently; the object is immutable after construction.
/// Lifetime: `cfg` and `client` must outlive it.
class bedrock final : public translated_provider {
public:
    /// Throws std::runtime_error (naming the config key) for an unusable base_url or missing
    /// credentials.
    bedrock(const config::provider_config& cfg, upstream::client& client,
            std::chrono::seconds stream_idle_timeout);

    /// The signed upstream request for a Converse body (exposed for tests).
    upstream::request build_request(const std::string& model, bool stream, std::string body,
                                    std::chrono::system_clock::time_point now) const;

private:
    awaitable<result<reply, core::api_error>> send_chat(call c) override;

    upstream::client& client_;
    upstream::url base_;  // origin, plus any path prefix without a trailing '/'
    sigv4::credentials credentials_;
    std::chrono::seconds stream_idle_timeout_;
};

}  // namespace hadrian::providers
