#include "hadrian/providers/monitor.hpp"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include "hadrian/core/log.hpp"
#include "hadrian/core/sleep.hpp"

namespace hadrian::providers {

namespace {

using namespace std::chrono_literals;

/// Retry a failed model-list fetch sooner than the regular refresh.
constexpr std::chrono::seconds fetch_retry{60};

/// Run `probe` with `stop` and a deadline both able to cut it short: a local signal that
/// either raises.
template <class Probe>
awaitable<result<void, core::api_error>> with_deadline(core::abort_signal& stop,
                                                       std::chrono::seconds deadline, Probe probe) {
    core::abort_signal cut;
    asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
    bool timed_out = false;
    timer.async_wait([&](error_code ec) {
        if (!ec) {
            timed_out = true;
            cut.abort();
        }
    });
    stop.on_abort([&cut] { cut.abort(); });
    auto outcome = co_await probe(&cut);
    stop.clear();
    timer.cancel();
    // The timer's handler may still be queued: wait it out so it never sees a dead frame.
    asio::steady_timer drain(co_await asio::this_coro::executor, 0ms);
    co_await drain.async_wait(use_nothrow);
    if (timed_out && !outcome) {
        co_return core::api_error::make(core::errc::upstream_timeout, "health probe timed out");
    }
    co_return outcome;
}

awaitable<void> refresh_models(registry& providers, provider& p, const config::provider_config& cfg,
                               core::abort_signal& stop) {
    auto log = core::logger("providers");
    bool warned = false;
    while (!stop.aborted()) {
        auto ids = co_await p.list_models(&stop);
        if (stop.aborted()) {
            break;
        }
        std::chrono::seconds next{cfg.models_refresh_secs};
        if (ids) {
            log->debug("provider '{}' lists {} model(s)", cfg.name, ids->size());
            providers.set_listed_models(cfg.name, std::move(*ids));
            warned = false;
        } else {
            if (!warned) {
                log->warn("provider '{}': model list not fetched: {}", cfg.name,
                          ids.error().message);
            }
            warned = true;
            next = std::min(next, fetch_retry);
        }
        if (!co_await core::sleep_for(next, &stop)) {
            break;
        }
    }
}

awaitable<void> probe_health(provider& p, circuit_breaker& breaker,
                             const config::provider_config& cfg, core::abort_signal& stop) {
    auto log = core::logger("providers");
    const auto& hc = cfg.health_check;
    const std::chrono::seconds deadline{hc.timeout_secs};
    while (!stop.aborted()) {
        auto list = [&p](core::abort_signal* cut) -> awaitable<result<void, core::api_error>> {
            auto ids = co_await p.list_models(cut);
            if (!ids) {
                co_return ids.error();
            }
            co_return boost::system::in_place_value;
        };
        auto chat = [&p, &hc](core::abort_signal* cut) -> awaitable<result<void, core::api_error>> {
            call c;
            c.op = operation::chat_completions;
            c.model = hc.model;
            c.body = {{"model", hc.model},
                      {"max_tokens", 1},
                      {"messages", {{{"role", "user"}, {"content", "ping"}}}}};
            c.abort = cut;
            auto answer = co_await p.send(std::move(c));
            if (!answer) {
                co_return answer.error();
            }
            co_return boost::system::in_place_value;
        };
        result<void, core::api_error> outcome = boost::system::in_place_value;
        if (hc.model.empty()) {
            outcome = co_await with_deadline(stop, deadline, std::move(list));
        } else {
            outcome = co_await with_deadline(stop, deadline, std::move(chat));
        }
        if (stop.aborted()) {
            break;
        }
        const bool healthy = outcome || !counts_against_provider(outcome.error());
        if (healthy) {
            log->debug("provider '{}' health probe ok", cfg.name);
        } else {
            log->warn("provider '{}' health probe failed: {} {}", cfg.name, outcome.error().status,
                      outcome.error().message);
        }
        breaker.record_probe(healthy);
        if (!co_await core::sleep_for(std::chrono::seconds(hc.interval_secs), &stop)) {
            break;
        }
    }
}

}  // namespace

bool counts_against_provider(const core::api_error& e) noexcept {
    return e.status >= 500 || e.status == 408;
}

void start_monitoring(registry& providers, core::background_tasks& tasks) {
    for (const auto& [name, adapter] : providers.all()) {
        const config::provider_config* cfg = providers.config_of(name);
        circuit_breaker* breaker = providers.breaker(name);
        provider* p = adapter.get();
        if (cfg == nullptr || breaker == nullptr) {
            continue;
        }
        if (cfg->fetch_models && p->lists_models()) {
            tasks.spawn([&providers, p, cfg](core::abort_signal& stop) {
                return refresh_models(providers, *p, *cfg, stop);
            });
        }
        if (cfg->health_check.enabled) {
            tasks.spawn([p, breaker, cfg](core::abort_signal& stop) {
                return probe_health(*p, *breaker, *cfg, stop);
            });
        }
    }
}

}  // namespace hadrian::providers
