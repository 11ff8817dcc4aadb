#include "budget.hpp"

#include "auth.hpp"
#include "hadrian/core/coarse_clock.hpp"
#include "hadrian/core/log.hpp"
#include "hadrian/limits/headers.hpp"
#include "respond.hpp"

namespace hadrian::api {

std::optional<budget_middleware::budget> budget_middleware::budget_of(const request_context& ctx) {
    // Model calls only: reading or deleting a stored response costs nothing.
    if (!ctx.key || !ctx.key->budget_limit_cents || ctx.req.method() != http::verb::post) {
        return std::nullopt;
    }
    const path_kind kind = classify_path(ctx.req.target());
    if (kind != path_kind::chat && kind != path_kind::embeddings) {
        return std::nullopt;
    }
    const auto& key = *ctx.key;
    const auto period = limits::parse_budget_period(key.budget_period.value_or("monthly"))
                            .value_or(limits::budget_period::monthly);
    return budget{key.id, period, *key.budget_limit_cents, core::coarse_unix_ms()};
}

budget_middleware::period_view budget_middleware::period_of_budget(const budget& b) {
    return {b.key_id, limits::period_start_ms(b.period, b.now_ms)};
}

bool budget_middleware::loaded(const period_view& period) {
    std::lock_guard lock(mutex_);
    return loaded_.contains(period);
}

awaitable<void> budget_middleware::load(const budget& b) {
    const period_view period = period_of_budget(b);
    // One query per key and period, however many requests arrive before it answers.
    const std::string flight = b.key_id + "/" + std::to_string(period.start);
    while (!co_await flights_.join(flight)) {
        if (loaded(period)) {
            co_return;
        }
    }
    const flight_guard leading(flights_, flight);
    if (loaded(period)) {
        co_return;
    }
    const std::int64_t start = period.start;
    auto query = [key_id = b.key_id, start](storage::store& s) {
        return s.spend_since(key_id, start);
    };
    auto spent = co_await db_->run(std::move(query));
    if (!spent) {
        core::logger("api")->error("loading the spend of key {} failed", b.key_id);
        co_return;
    }
    std::lock_guard lock(mutex_);
    if (loaded_.insert(period_mark{b.key_id, start}).second) {
        tracker_.load(b.key_id, b.period, start, *spent);
    }
}

verdict budget_middleware::before(request_context& ctx) {
    const auto b = budget_of(ctx);
    if (!b) {
        return verdict::passed();
    }
    // The spend of the key's period is loaded once; after that nothing here waits.
    if (db_ != nullptr && !loaded(period_of_budget(*b))) {
        return verdict::waiting();
    }
    return admit(ctx, *b);
}

awaitable<verdict> budget_middleware::before_async(request_context& ctx) {
    const auto b = budget_of(ctx);
    if (!b) {
        co_return verdict::passed();
    }
    co_await load(*b);
    co_return admit(ctx, *b);
}

void budget_middleware::after(request_context& ctx) {
    if (!ctx.budget) {
        return;
    }
    if (ctx.usage.known || ctx.cost_known) {
        tracker_.settle(*ctx.budget, ctx.cost_microcents);
    } else {
        tracker_.refund(*ctx.budget);
    }
    ctx.budget.reset();
}

verdict budget_middleware::admit(request_context& ctx, const budget& b) {
    const std::int64_t estimate =
        cfg_.limits.budgets.estimated_cost_cents * limits::microcents_per_cent;
    auto reservation = tracker_.reserve(b.key_id, b.period, b.limit_cents, estimate, b.now_ms);
    if (!reservation) {
        return verdict::refused(limits::budget_error(reservation.error()));
    }
    const auto status = tracker_.status(b.key_id, b.period, b.limit_cents, b.now_ms);
    for (auto& h : limits::budget_warning_headers(status, cfg_.limits.budgets.warning_threshold)) {
        ctx.response_headers.push_back(std::move(h));
    }
    ctx.budget = std::move(*reservation);
    return verdict::passed();
}

}  // namespace hadrian::api
