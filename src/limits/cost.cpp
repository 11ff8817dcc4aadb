#include "hadrian/limits/cost.hpp"

#include <algorithm>
#include <limits>
#include <string>

namespace hadrian::limits {

std::int64_t cost_microcents(const config::model_pricing& pricing, const token_usage& usage) {
    using i128 = __int128;
    const auto non_negative = [](std::int64_t v) { return std::max<std::int64_t>(v, 0); };

    const std::int64_t input = non_negative(usage.input_tokens);
    const std::int64_t cached = std::min(non_negative(usage.cached_input_tokens), input);
    const std::int64_t cache_write =
        std::min(non_negative(usage.cache_write_tokens), input - cached);
    const std::int64_t output = non_negative(usage.output_tokens);
    const std::int64_t reasoning = std::min(non_negative(usage.reasoning_tokens), output);

    const std::int64_t in = pricing.input_per_1m_tokens;
    const std::int64_t out = pricing.output_per_1m_tokens;
    const std::int64_t cached_in = pricing.cached_input_per_1m_tokens.value_or(in);
    const std::int64_t cache_write_in = pricing.cache_write_per_1m_tokens.value_or(in);
    const std::int64_t reasoning_out = pricing.reasoning_per_1m_tokens.value_or(out);

    // Each product is below 2^126; five of them cannot overflow 128 bits.
    const i128 per_million =
        static_cast<i128>(input - cached - cache_write) * in +
        static_cast<i128>(cached) * cached_in + static_cast<i128>(cache_write) * cache_write_in +
        static_cast<i128>(output - reasoning) * out + static_cast<i128>(reasoning) * reasoning_out;
    if (per_million <= 0) {
        return 0;
    }
    const i128 rounded = (per_million + 500'000) / 1'000'000;
    constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
    return rounded > max ? max : static_cast<std::int64_t>(rounded);
}

const config::model_pricing* find_pricing(const config::config& cfg, std::string_view provider,
                                          std::string_view model) {
    const std::string model_key(model);
    if (const config::provider_config* p = cfg.providers.find(provider); p != nullptr) {
        if (const auto it = p->models.find(model_key); it != p->models.end()) {
            return &it->second;
        }
    }
    if (const auto table = cfg.pricing.find(std::string(provider)); table != cfg.pricing.end()) {
        if (const auto it = table->second.find(model_key); it != table->second.end()) {
            return &it->second;
        }
    }
    return nullptr;
}

}  // namespace hadrian::limits
