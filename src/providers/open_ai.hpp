// OpenAI, Azure OpenAI and every OpenAI-compatible server (vLLM, Ollama, OpenRouter, Groq…):
// bodies pass through unchanged apart from the model name and the gateway's own fields. Azure
// differs only in its URLs (deployments, api-version) and its `api-key` header.
#pragma once

#include <array>
#include <memory>

#include "hadrian/config/config.hpp"
#include "hadrian/providers/provider.hpp"
#include "hadrian/upstream/client.hpp"

namespace hadrian::providers {

class open_ai final : public provider {
public:
    open_ai(const config::provider_config& cfg, upstream::client& client,
            std::chrono::seconds stream_idle_timeout);

    const std::string& name() const noexcept override { return cfg_.name; }
    bool takes_text(operation) const noexcept override { return true; }
    awaitable<result<reply, core::api_error>> send(call c) override;
    std::vector<std::string> models() const override;
    bool lists_models() const noexcept override { return !azure(); }
    awaitable<result<std::vector<std::string>, core::api_error>> list_models(
        core::abort_signal* abort) override;

private:
    void add_auth_headers(upstream::request& req) const;
    /// The upstream request for `c`, its body or text moved in.
    upstream::request request_of(call& c) const;
    /// The upstream request for `c`, sending `body`.
    upstream::request build_request(const call& c, std::string body) const;
    std::string target_of(const call& c) const;
    bool azure() const noexcept { return cfg_.type == config::provider_type::azure_open_ai; }
    static std::size_t head_index(operation op, bool stream) noexcept {
        return static_cast<std::size_t>(op) * 2 + (stream ? 1 : 0);
    }

    const config::provider_config& cfg_;
    upstream::client& client_;
    upstream::url base_;  // up to and including /v1
    std::chrono::seconds stream_idle_timeout_;
    /// The request heads by operation and stream (head_index), prepared once; empty for
    /// Azure.
    std::array<std::shared_ptr<const upstream::prepared_head>, 6> heads_;
};

}  // namespace hadrian::providers
