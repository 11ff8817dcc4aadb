// Pieces every upstream adapter shares.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "hadrian/config/config.hpp"
#include "hadrian/upstream/client.hpp"

namespace hadrian::providers {

/// Models a provider advertises from its configuration: priced models, exact allowed models
/// and aliases, sorted and unique.
std::vector<std::string> configured_models(const config::provider_config& cfg);

/// The four upstream deadlines of one call: connect from the provider, first byte and total
/// from its timeout_secs, and between stream reads the server's streaming idle timeout.
upstream::timeouts request_timeouts(const config::provider_config& cfg, bool stream,
                                    std::chrono::seconds stream_idle_timeout);

}  // namespace hadrian::providers
