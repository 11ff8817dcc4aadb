#include "hadrian/api/app.hpp"

#include "access_log.hpp"
#include "auth.hpp"
#include "budget.hpp"
#include "endpoints.hpp"
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
          usage(db != nullptr
                    ? std::make_unique<usage_writer>(*db, usage_flush_interval, usage_batch)
                    : nullptr),
          terminal(cfg, router, providers, state, db, keys, metrics),
          pipe(make_steps(cfg, db), terminal) {}

    /// The pipeline's steps, outermost first, and why:
    /// 1. request_id     — every later step, log line and error body carries the id.
    /// 2. access_log     — sees the final status of everything inside, errors included.
    /// 3. usage_recorder — one usage record per model request, rejected ones included.
    /// (The pipeline itself turns an exception in a step below or in the handler into a logged
    /// 500 that these three still see.)
    /// 4. auth           — identifies the key before anything is counted against it.
    /// 5. rate_limit     — counts the request (and reserves tokens) for its key or address.
    /// 6. budget         — reserves money last: a request refused above costs nothing.
    std::vector<std::unique_ptr<middleware>> make_steps(const config::config& cfg,
                                                        storage::db_executor* db) {
        std::vector<std::unique_ptr<middleware>> s;
        s.push_back(std::make_unique<request_id_middleware>());
        s.push_back(std::make_unique<access_log_middleware>(metrics));
        if (usage) {
            s.push_back(std::make_unique<usage_recorder_middleware>(*usage));
        }
        s.push_back(std::make_unique<auth_middleware>(cfg, db, keys, limiter));
        s.push_back(std::make_unique<rate_limit_middleware>(cfg, limiter, concurrency));
        s.push_back(std::make_unique<budget_middleware>(cfg, budgets, db));
        return s;
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
    pipeline pipe;
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

awaitable<void> app::handle(request_context& ctx) { return impl_->pipe.run(ctx); }

void app::flush() {
    if (impl_->usage) {
        impl_->usage->flush();
    }
}

}  // namespace hadrian::api
