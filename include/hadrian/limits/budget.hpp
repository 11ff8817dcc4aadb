/// Per-key spend budgets over UTC calendar periods: the period arithmetic and the in-memory
/// tracker that reserves an estimate before a call and settles the actual cost after it.
///
/// Units: limits in cents, spend in microcents (1 cent = 10,000 microcents; 1 USD =
/// 1,000,000 microcents).
#pragma once

#include <array>
#include <boost/assert/source_location.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hadrian/core/asio.hpp"
#include "hadrian/core/io_mutex.hpp"
#include "hadrian/core/string_map.hpp"

namespace hadrian::limits {

inline constexpr std::int64_t microcents_per_cent = 10'000;

/// A budget period: a UTC calendar day or month.
enum class budget_period { daily, monthly };

/// "daily" | "monthly".
std::string_view period_name(budget_period period) noexcept;
/// Parses "daily" | "monthly"; nullopt otherwise.
std::optional<budget_period> parse_budget_period(std::string_view text) noexcept;

/// Start (inclusive) of the period containing `now_ms`: UTC midnight of that day, or of the
/// first day of that month. Uses the C++20 calendar (month lengths, leap years).
std::int64_t period_start_ms(budget_period period, std::int64_t now_ms);
/// End (exclusive) of the period containing `now_ms`: the start of the next one.
std::int64_t period_end_ms(budget_period period, std::int64_t now_ms);

/// An estimate held against a budget until settled or refunded; settle or refund it exactly
/// once.
struct budget_reservation {
    std::string key_id;
    budget_period period = budget_period::monthly;
    std::int64_t period_start_ms = 0;    ///< the period the reservation belongs to
    std::int64_t amount_microcents = 0;  ///< the reserved estimate
};

/// Why a reservation was refused: the state of the budget at that moment.
struct budget_denial {
    budget_period period = budget_period::monthly;
    std::int64_t spent_microcents = 0;
    std::int64_t reserved_microcents = 0;
    std::int64_t limit_cents = 0;
};

/// Lets `result<T, budget_denial>::value()` throw (std::runtime_error naming the period).
[[noreturn]] void throw_exception_from_error(const budget_denial& d,
                                             const boost::source_location& loc);

/// A budget's current period.
struct budget_status {
    budget_period period = budget_period::monthly;
    std::int64_t spent_microcents = 0;     ///< settled spend in the current period
    std::int64_t reserved_microcents = 0;  ///< estimates of calls in flight
    std::int64_t limit_cents = 0;
    double percentage = 0;  ///< spent / limit · 100 (100 for a zero limit)
    std::int64_t period_start_ms = 0;
    std::int64_t period_end_ms = 0;
};

/// Spend per (key, period kind) for the current period, held in memory and rebuilt from the
/// database at startup with `load`. A period rolls over at its boundary: the first call that
/// sees a later period starts from zero, and settling a reservation of a past period changes
/// nothing (that spend belongs to the past period, which no longer counts).
///
/// Overspend bound: a reservation is refused when `spent + reserved + estimate > limit` (or
/// nothing is left), atomically, so while estimates cover actual costs concurrent calls cannot
/// push spend past the limit, and a call whose actual cost exceeds its estimate overspends by
/// at most its own cost.
///
/// Thread safety: all calls may be made concurrently (one mutex, held for a few map
/// operations).
class budget_tracker {
public:
    /// Sets the spend of `key_id`'s period that starts at `period_start_ms` (from the
    /// database). Ignored when the tracker already holds a later period for that key; keeps
    /// the reservations in flight when it holds the same one.
    void load(std::string_view key_id, budget_period period, std::int64_t period_start_ms,
              std::int64_t spent_microcents);

    /// Reserves `estimate_microcents` (negative: 0) against a limit of `limit_cents` (negative:
    /// 0) in the period of `now_ms`, or refuses: when `spent + reserved + estimate > limit` or
    /// `spent + reserved ≥ limit`.
    result<budget_reservation, budget_denial> reserve(std::string_view key_id, budget_period period,
                                                      std::int64_t limit_cents,
                                                      std::int64_t estimate_microcents,
                                                      std::int64_t now_ms);

    /// Moves `r` from reserved to spent at its actual cost (negative: 0).
    void settle(const budget_reservation& r, std::int64_t actual_microcents);

    /// Drops `r` without spending (the call failed before costing anything).
    void refund(const budget_reservation& r);

    /// The budget in the period of `now_ms`.
    budget_status status(std::string_view key_id, budget_period period, std::int64_t limit_cents,
                         std::int64_t now_ms) const;

private:
    struct entry {
        std::int64_t period_start_ms = 0;
        std::int64_t spent_microcents = 0;
        std::int64_t reserved_microcents = 0;
    };
    core::string_map<entry>& entries(budget_period period) {
        return entries_[static_cast<std::size_t>(period)];
    }
    const core::string_map<entry>& entries(budget_period period) const {
        return entries_[static_cast<std::size_t>(period)];
    }
    /// The entry of `key_id` in `period`, made with `fresh` when there is none.
    entry& find_or_add(std::string_view key_id, budget_period period, const entry& fresh);

    mutable core::io_mutex mutex_;
    std::array<core::string_map<entry>, 2> entries_;  // by budget_period, then key id
};

}  // namespace hadrian::limits
