/// Google Gemini, through the Gemini API (`api_key`) or Vertex AI (`project`/`region` and a
/// service account): Chat Completions translated to `generateContent` /
/// `streamGenerateContent?alt=sse`, Responses through the shared chat bridge.
#pragma once

#include <chrono>
#include <memory>

#include "google_auth.hpp"
#include "hadrian/config/config.hpp"
#include "hadrian/upstream/client.hpp"
#include "translated_provider.hpp"

namespace hadrian::providers {

/// Thread safety: send() runs concurrently from many strands; the only shared mutable state
/// is the service account token cache (see google_auth). Lifetime: owned by the registry;
/// `cfg` and `client` outlive it.
class vertex final : public translated_provider {
public:
    /// Throws std::runtime_error at startup for an unusable base_url or service account key.
    vertex(const config::provider_config& cfg, upstream::client& client,
           std::chrono::seconds stream_idle_timeout);

    /// The Gemini API (an api_key) lists its models; Vertex AI's publisher catalogue is not
    /// read.
    bool lists_models() const noexcept override { return !cfg_.api_key.empty(); }
    awaitable<result<std::vector<std::string>, core::api_error>> list_models(
        core::abort_signal* abort) override;

private:
    awaitable<result<reply, core::api_error>> send_chat(call c) override;
    upstream::request build_request(const call& c, std::string body) const;

    upstream::client& client_;
    upstream::url base_;  // up to and including /models
    std::string query_;   // the base URL's own query, kept after ours
    std::chrono::seconds stream_idle_timeout_;
    std::unique_ptr<google_auth> auth_;  // set for service-account credentials
};

}  // namespace hadrian::providers
