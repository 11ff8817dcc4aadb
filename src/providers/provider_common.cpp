#include "provider_common.hpp"

#include <algorithm>

namespace hadrian::providers {

std::vector<std::string> configured_models(const config::provider_config& cfg) {
    std::vector<std::string> out;
    for (const auto& [m, _] : cfg.models) {
        out.push_back(m);
    }
    for (const auto& m : cfg.allowed_models) {
        if (!m.empty() && m.back() != '*') {
            out.push_back(m);
        }
    }
    for (const auto& [alias, _] : cfg.model_aliases) {
        out.push_back(alias);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

upstream::timeouts request_timeouts(const config::provider_config& cfg, bool stream,
                                    std::chrono::seconds stream_idle_timeout) {
    using std::chrono::milliseconds;
    const auto total =
        std::chrono::duration_cast<milliseconds>(std::chrono::seconds(cfg.timeout_secs));
    upstream::timeouts t;
    t.connect = std::chrono::seconds(cfg.connect_timeout_secs);
    t.first_byte = total;
    t.idle = stream ? std::chrono::duration_cast<milliseconds>(stream_idle_timeout) : total;
    t.total = total;
    return t;
}

}  // namespace hadrian::providers
