// The path table: which handler serves which method and path.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "admin.hpp"
#include "hadrian/api/app.hpp"
#include "hadrian/api/middleware.hpp"
#include "key_cache.hpp"
#include "metrics.hpp"
#include "proxy.hpp"
#include "stored_responses.hpp"

namespace hadrian::api {

class endpoints final : public endpoint {
public:
    endpoints(const config::config& cfg, const routing::router& router,
              const providers::registry& providers, const app_state& state,
              storage::db_executor* db, key_cache& keys, const gateway_metrics& metrics)
        : cfg_(cfg),
          providers_(providers),
          state_(state),
          db_(db),
          metrics_(metrics),
          responses_(cfg, db),
          proxy_(cfg, router, providers, responses_),
          admin_(db, keys) {}

    awaitable<void> handle(request_context& ctx) override;

private:
    /// Every path but the model calls.
    awaitable<void> route(request_context& ctx);
    awaitable<void> health(request_context& ctx, std::string_view which) const;
    awaitable<void> models(request_context& ctx) const;
    awaitable<nlohmann::json> database_health() const;

    const config::config& cfg_;
    const providers::registry& providers_;
    const app_state& state_;
    storage::db_executor* db_;
    const gateway_metrics& metrics_;
    stored_responses responses_;  // before proxy_, which refers to it
    proxy_handler proxy_;
    admin_handler admin_;
};

/// The API path without its `/api/v1` or `/v1` prefix (e.g. "/chat/completions"), or empty
/// when the target is not under either prefix. The query string is ignored.
std::string_view api_path(std::string_view target) noexcept;

/// The model call a request makes (a POST on one of their paths), or nullopt.
std::optional<providers::operation> model_operation(http::verb method,
                                                    std::string_view target) noexcept;

}  // namespace hadrian::api
