#include "budget.hpp"

#include "auth.hpp"
#include "hadrian/core/log.hpp"
#include "hadrian/limits/headers.hpp"
#include "respond.hpp"

namespace hadrian::api {

namespace {

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

awaitable<void> budget_middleware::ensure_loaded(const std::string& key_id,
                                                 limits::budget_period period, std::int64_t now) {
    const std::int64_t start = limits::period_start_ms(period, now);
    const std::string marker = key_id + "/" + std::to_string(start);
    auto loaded = [&] {
        std::lock_guard lock(mutex_);
        return loaded_.contains(marker);
    };
    if (loaded() || db_ == nullptr) {
        co_return;
    }
    // One query per key and period, however many requests arrive before it answers.
    while (!co_await flights_.join(marker)) {
        if (loaded()) {
            co_return;
        }
    }
    const flight_guard leading(flights_, marker);
    if (loaded()) {
        co_return;
    }
    auto query = [key_id, start](storage::store& s) { return s.spend_since(key_id, start); };
    auto spent = co_await db_->run(std::move(query));
    if (!spent) {
        core::logger("api")->error("loading the spend of key {} failed", key_id);
        co_return;
    }
    std::lock_guard lock(mutex_);
    if (loaded_.insert(marker).second) {
        tracker_.load(key_id, period, start, *spent);
    }
}

awaitable<void> budget_middleware::handle(request_context& ctx, chain next) {
    // The checks run in a coroutine of their own, so that this frame, alive for the rest of
    // the request (maybe a minutes-long stream), holds only the reservation.
    const admission a = co_await admit(ctx);
    if (!a.proceed) {
        co_return;
    }
    co_await next(ctx);
    if (!a.reservation) {
        co_return;
    }
    if (ctx.usage.known || ctx.cost_known) {
        tracker_.settle(*a.reservation, ctx.cost_microcents);
    } else {
        tracker_.refund(*a.reservation);
    }
}

awaitable<budget_middleware::admission> budget_middleware::admit(request_context& ctx) {
    admission out;
    const path_kind kind = classify_path(ctx.req.target());
    // Model calls only: reading or deleting a stored response costs nothing.
    if (!ctx.key || !ctx.key->budget_limit_cents || ctx.req.method() != http::verb::post ||
        (kind != path_kind::chat && kind != path_kind::embeddings)) {
        out.proceed = true;
        co_return out;
    }
    const auto& key = *ctx.key;
    const auto period = limits::parse_budget_period(key.budget_period.value_or("monthly"))
                            .value_or(limits::budget_period::monthly);
    const std::int64_t now = now_ms();
    co_await ensure_loaded(key.id, period, now);

    const std::int64_t estimate =
        cfg_.limits.budgets.estimated_cost_cents * limits::microcents_per_cent;
    auto reservation = tracker_.reserve(key.id, period, *key.budget_limit_cents, estimate, now);
    if (!reservation) {
        co_await send_error(ctx, limits::budget_error(reservation.error()));
        co_return out;
    }
    const auto status = tracker_.status(key.id, period, *key.budget_limit_cents, now);
    for (auto& h : limits::budget_warning_headers(status, cfg_.limits.budgets.warning_threshold)) {
        ctx.response_headers.push_back(std::move(h));
    }
    out.proceed = true;
    out.reservation = std::move(*reservation);
    co_return out;
}

}  // namespace hadrian::api
