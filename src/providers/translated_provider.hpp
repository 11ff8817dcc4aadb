// Base of adapters whose upstream speaks its own protocol (Anthropic, Gemini, Bedrock): they
// translate Chat Completions; the Responses API reaches them through the shared bridge.
#pragma once

#include "hadrian/config/config.hpp"
#include "hadrian/providers/provider.hpp"

namespace hadrian::providers {

/// send(): chat goes to send_chat(); Responses are translated to chat and back (bodies and
/// streams); embeddings are 501 not_supported.
/// Thread safety: as provider. Lifetime: `cfg` outlives the adapter.
class translated_provider : public provider {
public:
    const std::string& name() const noexcept final { return cfg_.name; }
    awaitable<result<reply, core::api_error>> send(call c) final;
    std::vector<std::string> models() const override;

protected:
    explicit translated_provider(const config::provider_config& cfg) : cfg_(cfg) {}

    /// One Chat Completions call (the body is an OpenAI chat request).
    virtual awaitable<result<reply, core::api_error>> send_chat(call c) = 0;

    const config::provider_config& cfg_;
};

}  // namespace hadrian::providers
