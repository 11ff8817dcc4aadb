#include "hadrian/limits/budget.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <stdexcept>

namespace hadrian::limits {
namespace {

namespace chr = std::chrono;

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

std::int64_t to_ms(chr::sys_days d) {
    return chr::duration_cast<chr::milliseconds>(d.time_since_epoch()).count();
}

chr::sys_days day_of(std::int64_t now_ms) {
    return chr::floor<chr::days>(chr::sys_time<chr::milliseconds>(chr::milliseconds(now_ms)));
}

std::int64_t saturate(__int128 v) {
    return v > int64_max ? int64_max : static_cast<std::int64_t>(v);
}

std::int64_t limit_microcents(std::int64_t limit_cents) {
    return saturate(static_cast<__int128>(std::max<std::int64_t>(limit_cents, 0)) *
                    microcents_per_cent);
}

}  // namespace

std::string_view period_name(budget_period period) noexcept {
    return period == budget_period::daily ? "daily" : "monthly";
}

std::optional<budget_period> parse_budget_period(std::string_view text) noexcept {
    if (text == "daily") {
        return budget_period::daily;
    }
    if (text == "monthly") {
        return budget_period::monthly;
    }
    return std::nullopt;
}

std::int64_t period_start_ms(budget_period period, std::int64_t now_ms) {
    const chr::sys_days day = day_of(now_ms);
    if (period == budget_period::daily) {
        return to_ms(day);
    }
    const chr::year_month_day ymd{day};
    return to_ms(chr::sys_days{ymd.year() / ymd.month() / 1});
}

std::int64_t period_end_ms(budget_period period, std::int64_t now_ms) {
    const chr::sys_days day = day_of(now_ms);
    if (period == budget_period::daily) {
        return to_ms(day + chr::days{1});
    }
    const chr::year_month_day ymd{day};
    const chr::year_month next = chr::year_month{ymd.year(), ymd.month()} + chr::months{1};
    return to_ms(chr::sys_days{next / 1});
}

void throw_exception_from_error(const budget_denial& d, const boost::source_location&) {
    throw std::runtime_error("Budget limit exceeded for " + std::string(period_name(d.period)) +
                             " period");
}

budget_tracker::entry& budget_tracker::find_or_add(std::string_view key_id, budget_period period,
                                                   const entry& fresh) {
    auto& map = entries(period);
    auto it = map.find(key_id);
    if (it == map.end()) {
        it = map.emplace(std::string(key_id), fresh).first;
    }
    return it->second;
}

void budget_tracker::load(std::string_view key_id, budget_period period,
                          std::int64_t period_start_ms, std::int64_t spent_microcents) {
    const std::int64_t spent = std::max<std::int64_t>(spent_microcents, 0);
    std::lock_guard lock(mutex_);
    auto& map = entries(period);
    const auto [it, created] =
        map.try_emplace(std::string(key_id), entry{period_start_ms, spent, 0});
    entry& e = it->second;
    if (created || period_start_ms < e.period_start_ms) {
        return;
    }
    if (period_start_ms > e.period_start_ms) {
        e = entry{period_start_ms, spent, 0};
    } else {
        e.spent_microcents = spent;
    }
}

result<budget_reservation, budget_denial> budget_tracker::reserve(std::string_view key_id,
                                                                  budget_period period,
                                                                  std::int64_t limit_cents,
                                                                  std::int64_t estimate_microcents,
                                                                  std::int64_t now_ms) {
    const std::int64_t start = period_start_ms(period, now_ms);
    const std::int64_t limit = limit_microcents(limit_cents);
    const std::int64_t estimate = std::max<std::int64_t>(estimate_microcents, 0);

    std::lock_guard lock(mutex_);
    entry& e = find_or_add(key_id, period, entry{start, 0, 0});
    if (start > e.period_start_ms) {
        e = entry{start, 0, 0};  // a new period; a wall clock stepped back keeps the later one
    }
    const __int128 committed = static_cast<__int128>(e.spent_microcents) + e.reserved_microcents;
    if (committed >= limit || committed + estimate > limit) {
        return budget_denial{period, e.spent_microcents, e.reserved_microcents,
                             std::max<std::int64_t>(limit_cents, 0)};
    }
    e.reserved_microcents += estimate;  // ≤ limit, cannot overflow
    return budget_reservation{std::string(key_id), period, e.period_start_ms, estimate};
}

void budget_tracker::settle(const budget_reservation& r, std::int64_t actual_microcents) {
    std::lock_guard lock(mutex_);
    const auto it = entries(r.period).find(r.key_id);
    if (it == entries(r.period).end() || it->second.period_start_ms != r.period_start_ms) {
        return;  // the reservation's period is over
    }
    entry& e = it->second;
    e.reserved_microcents = std::max<std::int64_t>(e.reserved_microcents - r.amount_microcents, 0);
    e.spent_microcents = saturate(static_cast<__int128>(e.spent_microcents) +
                                  std::max<std::int64_t>(actual_microcents, 0));
}

void budget_tracker::refund(const budget_reservation& r) {
    std::lock_guard lock(mutex_);
    const auto it = entries(r.period).find(r.key_id);
    if (it == entries(r.period).end() || it->second.period_start_ms != r.period_start_ms) {
        return;
    }
    entry& e = it->second;
    e.reserved_microcents = std::max<std::int64_t>(e.reserved_microcents - r.amount_microcents, 0);
}

budget_status budget_tracker::status(std::string_view key_id, budget_period period,
                                     std::int64_t limit_cents, std::int64_t now_ms) const {
    budget_status s;
    s.period = period;
    s.limit_cents = std::max<std::int64_t>(limit_cents, 0);
    s.period_start_ms = period_start_ms(period, now_ms);
    {
        std::lock_guard lock(mutex_);
        const auto it = entries(period).find(key_id);
        if (it != entries(period).end() && it->second.period_start_ms >= s.period_start_ms) {
            s.period_start_ms = it->second.period_start_ms;
            s.spent_microcents = it->second.spent_microcents;
            s.reserved_microcents = it->second.reserved_microcents;
        }
    }
    s.period_end_ms = period_end_ms(period, s.period_start_ms);
    const std::int64_t limit = limit_microcents(limit_cents);
    s.percentage =
        limit > 0 ? static_cast<double>(s.spent_microcents) * 100.0 / static_cast<double>(limit)
                  : 100.0;
    return s;
}

}  // namespace hadrian::limits
