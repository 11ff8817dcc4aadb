// Anthropic's Messages API behind the OpenAI interface: Chat Completions translated both ways,
// Responses through the shared Responses ↔ Chat bridge, no embeddings.
#pragma once

#include <array>
#include <chrono>
#include <memory>

#include "hadrian/config/config.hpp"
#include "hadrian/upstream/client.hpp"
#include "translated_provider.hpp"

namespace hadrian::providers {

/// Calls `POST {base_url}/v1/messages` (base_url: the origin, default
/// `https://api.anthropic.com`) with `x-api-key`, `anthropic-version: 2023-06-01` and the
/// configured headers. Thread safety and lifetime as `provider`; `cfg` and `client` must
/// outlive it.
class anthropic final : public translated_provider {
public:
    anthropic(const config::provider_config& cfg, upstream::client& client,
              std::chrono::seconds stream_idle_timeout);

    /// Chat requests are translated from their text (anthropic_request_text) when they can be.
    bool takes_text(operation op) const noexcept override {
        return op == operation::chat_completions;
    }
    bool lists_models() const noexcept override { return true; }
    awaitable<result<std::vector<std::string>, core::api_error>> list_models(
        core::abort_signal* abort) override;

private:
    upstream::request build_request(std::string body, bool stream) const;
    void add_headers(upstream::request& req) const;
    awaitable<result<reply, core::api_error>> send_chat(call c) override;

    upstream::client& client_;
    upstream::url base_;  // the origin (and any path prefix), without a trailing slash
    std::chrono::seconds stream_idle_timeout_;
    /// The request heads, prepared once: [1] for streams.
    std::array<std::shared_ptr<const upstream::prepared_head>, 2> heads_;
};

}  // namespace hadrian::providers
