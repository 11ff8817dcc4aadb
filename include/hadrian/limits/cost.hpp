/// The cost of a call from its token usage and the model's prices (API.md §5).
#pragma once

#include <cstdint>
#include <string_view>

#include "hadrian/config/config.hpp"

namespace hadrian::limits {

/// Tokens of one call as the provider reported them. `cached_input_tokens` (cache reads) and
/// `cache_write_tokens` are included in `input_tokens`; `reasoning_tokens` are included in
/// `output_tokens`.
struct token_usage {
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
    std::int64_t cached_input_tokens = 0;
    std::int64_t cache_write_tokens = 0;
    std::int64_t reasoning_tokens = 0;
};

/// Cost in microcents:
/// `((input − cached − cache_write)·in + cached·cached_in + cache_write·cache_write_price
///   + (output − reasoning)·out + reasoning·reasoning_price) / 1e6`
/// with prices in microcents per 1M tokens; an unset cached or cache-write price is the input
/// price, an unset reasoning price the output price. Rounded to the nearest microcent (halves
/// up), computed in 128 bits, saturated to [0, int64 max]. Negative counts are 0, and parts
/// larger than their total are clipped to it (cached, then cache writes, to the input).
std::int64_t cost_microcents(const config::model_pricing& pricing, const token_usage& usage);

/// The prices of `model` on `provider`: the provider's `models."<model>"` first, then
/// `[pricing.<provider>."<model>"]`; null when neither has it. The pointer lives as long as
/// `cfg`.
const config::model_pricing* find_pricing(const config::config& cfg, std::string_view provider,
                                          std::string_view model);

}  // namespace hadrian::limits
