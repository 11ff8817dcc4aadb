// Budget middleware: reserve a request's estimated cost before the call, settle it after.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "hadrian/api/middleware.hpp"
#include "hadrian/config/config.hpp"
#include "hadrian/core/io_mutex.hpp"
#include "hadrian/limits/budget.hpp"
#include "hadrian/storage/db_executor.hpp"
#include "single_flight.hpp"

namespace hadrian::api {

/// Spend of a key's current period is loaded from the usage records the first time the key is
/// seen in that period (so it survives restarts), then tracked in memory.
/// Thread safety: the tracker is thread safe; `loaded_` is guarded by its mutex.
class budget_middleware final : public middleware {
public:
    budget_middleware(const config::config& cfg, limits::budget_tracker& tracker,
                      storage::db_executor* db)
        : cfg_(cfg), tracker_(tracker), db_(db) {}

    /// Reserves the request's estimated cost in `ctx.budget`; waits only to load the spend
    /// of the key's period, the first time.
    verdict before(request_context& ctx) override;
    awaitable<verdict> before_async(request_context& ctx) override;
    /// Settles the reservation at the request's cost, or refunds it when the cost is unknown.
    void after(request_context& ctx) override;

private:
    /// The budget a request is held to: its key's, for a model call by a key that has one.
    struct budget {
        const std::string& key_id;
        limits::budget_period period;
        std::int64_t limit_cents;
        std::int64_t now_ms;
    };
    static std::optional<budget> budget_of(const request_context& ctx);
    /// Reserves the estimate against `b`, whose spend is loaded; never waits.
    verdict admit(request_context& ctx, const budget& b);
    /// A key's period, by the period's start: what loaded_ holds once its spend is loaded.
    template <class Text>
    struct period_of {
        Text key_id;
        std::int64_t start = 0;
    };
    using period_mark = period_of<std::string>;
    using period_view = period_of<std::string_view>;
    struct period_less {
        using is_transparent = void;
        template <class A, class B>
        bool operator()(const A& a, const B& b) const noexcept {
            return a.start != b.start ? a.start < b.start
                                      : std::string_view(a.key_id) < std::string_view(b.key_id);
        }
    };
    static period_view period_of_budget(const budget& b);
    bool loaded(const period_view& period);
    /// Loads the spend of `b`'s period from the usage records, once per key and period.
    awaitable<void> load(const budget& b);

    const config::config& cfg_;
    limits::budget_tracker& tracker_;
    storage::db_executor* db_;
    core::io_mutex mutex_;
    std::set<period_mark, period_less> loaded_;
    single_flight flights_;  // one spend query per key and period at a time
};

}  // namespace hadrian::api
