// Budget middleware: reserve a request's estimated cost before the call, settle it after.
#pragma once

#include <mutex>
#include <optional>
#include <set>

#include "hadrian/api/middleware.hpp"
#include "hadrian/config/config.hpp"
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

    awaitable<void> handle(request_context& ctx, chain next) override;

private:
    /// Whether the request may go on (when not, it was answered), and what it holds.
    struct admission {
        bool proceed = false;
        std::optional<limits::budget_reservation> reservation;
    };
    awaitable<admission> admit(request_context& ctx);
    awaitable<void> ensure_loaded(const std::string& key_id, limits::budget_period period,
                                  std::int64_t now_ms);

    const config::config& cfg_;
    limits::budget_tracker& tracker_;
    storage::db_executor* db_;
    std::mutex mutex_;
    std::set<std::string> loaded_;  // "<key id>/<period start>"
    single_flight flights_;         // one spend query per marker at a time
};

}  // namespace hadrian::api
