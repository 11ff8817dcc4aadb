#include "hadrian/api/app.hpp"

#include "access_log.hpp"
#include "auth.hpp"
#include "budget.hpp"
#include "endpoints.hpp"
#include "error_boundary.hpp"
#include "hadrian/api/middleware.hpp"
#include "hadrian/limits/budget.hpp"
#include "hadrian/limits/concurrency_limiter.hpp"
#include "hadrian/limits/memory_counter_store.hpp"
#include "hadrian/limits/rate_limiter.hpp"
#include "key_cache.hpp"
#include "metrics.hpp"
#include "rate_limit.hpp"
#include "request_id.hpp"
#include "usage_recorder.hpp"
#include "usage_writer.hpp"

namespace hadrian::api {

namespace {

constexpr auto key_cache_ttl = std::chrono::seconds(30);
constexpr std::size_t key_cache_entries = 100'000;
constexpr auto usage_flush_interval = std::chrono::milliseconds(500);
constexpr std::size_t usage_batch = 1024;  // records per transaction, written as soon as they wait

}  // namespace

struct app::impl {
    impl(const config::config& cfg, providers::registry& providers, app_state& state,
         storage::db_executor* db)
        : router(cfg.providers),
          keys(key_cache_ttl, key_cache_entries),
          counters(clock),
          limiter(counters, clock),
          terminal(cfg, router, providers, state, db, keys, metrics) {
        if (db != nullptr) {
            usage = std::make_unique<usage_writer>(*db, usage_flush_interval, usage_batch);
        }
        // The pipeline order, outermost first, and why:
        // 1. request_id     — every later step, log line and error body carries the id.
        // 2. access_log     — sees the final status of everything inside, errors included.
        // 3. usage_recorder — one usage record per model request, rejected ones included.
        // 4. error_boundary — turns a bug below into a logged 500 the outer steps still see.
        // 5. auth           — identifies the key before anything is counted against it.
        // 6. rate_limit     — counts the request (and reserves tokens) for its key or address.
        // 7. budget         — reserves money last: a request refused above costs nothing.
        steps.push_back(std::make_unique<request_id_middleware>());
        steps.push_back(std::make_unique<access_log_middleware>(metrics));
        if (usage) {
            steps.push_back(std::make_unique<usage_recorder_middleware>(*usage));
        }
        steps.push_back(std::make_unique<error_boundary_middleware>());
        steps.push_back(std::make_unique<auth_middleware>(cfg, db, keys, limiter));
        steps.push_back(std::make_unique<rate_limit_middleware>(cfg, limiter, concurrency));
        steps.push_back(std::make_unique<budget_middleware>(cfg, budgets, db));
    }

    routing::router router;
    key_cache keys;
    limits::system_clock_source clock;
    limits::memory_counter_store counters;
    limits::rate_limiter limiter;
    limits::concurrency_limiter concurrency;
    limits::budget_tracker budgets;
    std::unique_ptr<usage_writer> usage;
    gateway_metrics metrics;
    endpoints terminal;
    std::vector<std::unique_ptr<middleware>> steps;
};

app::app(std::shared_ptr<const config::config> cfg, providers::registry& providers,
         app_state& state, storage::db_executor* db)
    : cfg_(std::move(cfg)), impl_(std::make_unique<impl>(*cfg_, providers, state, db)) {}

app::~app() = default;

void app::start(asio::io_context& ioc) {
    if (impl_->usage) {
        impl_->usage->start(ioc);
    }
}

awaitable<void> app::handle(request_context& ctx) {
    co_await chain(impl_->steps, 0, impl_->terminal)(ctx);
}

void app::flush() {
    if (impl_->usage) {
        impl_->usage->flush();
    }
}

}  // namespace hadrian::api
