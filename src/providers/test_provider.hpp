// The built-in `test` provider: no network, deterministic answers, scripted failures. It is
// what a fresh install answers with, and what tests use to exercise the gateway alone.
#pragma once

#include "hadrian/config/config.hpp"
#include "hadrian/providers/provider.hpp"

namespace hadrian::providers {

class test_provider final : public provider {
public:
    explicit test_provider(const config::provider_config& cfg);

    const std::string& name() const noexcept override { return cfg_.name; }
    awaitable<result<reply, core::api_error>> send(call c) override;
    std::vector<std::string> models() const override;

private:
    const config::provider_config& cfg_;
};

}  // namespace hadrian::providers
