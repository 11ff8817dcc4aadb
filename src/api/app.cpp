#include "hadrian/api/app.hpp"

#include "access_log.hpp"
#include "endpoints.hpp"
#include "error_boundary.hpp"
#include "hadrian/api/middleware.hpp"
#include "request_id.hpp"

namespace hadrian::api {

struct app::impl {
    impl(const config::config& cfg, providers::registry& providers, app_state& state)
        : router(cfg.providers), terminal(cfg, router, providers, state) {
        // The pipeline order, outermost first, and why:
        // 1. request_id   — every later step, log line and error body carries the id.
        // 2. access_log   — sees the final status of everything inside, errors included.
        // 3. error_boundary — turns a bug below into a logged 500 the access log still records.
        // (auth → rate limit → budget go here, before the handler, in that order: a request
        //  is identified before it is counted, and counted before money is reserved.)
        steps.push_back(std::make_unique<request_id_middleware>());
        steps.push_back(std::make_unique<access_log_middleware>());
        steps.push_back(std::make_unique<error_boundary_middleware>());
    }

    routing::router router;
    endpoints terminal;
    std::vector<std::unique_ptr<middleware>> steps;
};

app::app(std::shared_ptr<const config::config> cfg, providers::registry& providers,
         app_state& state)
    : cfg_(std::move(cfg)), impl_(std::make_unique<impl>(*cfg_, providers, state)) {}

app::~app() = default;

awaitable<void> app::handle(request_context& ctx) {
    co_await chain(impl_->steps, 0, impl_->terminal)(ctx);
}

}  // namespace hadrian::api
