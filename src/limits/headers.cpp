#include "hadrian/limits/headers.hpp"

#include <cmath>
#include <cstdio>
#include <string_view>

namespace hadrian::limits {
namespace {

std::string one_decimal(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

std::string_view unit_word(limit_unit unit, std::int64_t limit) {
    if (unit == limit_unit::tokens) {
        return limit == 1 ? "token" : "tokens";
    }
    return limit == 1 ? "request" : "requests";
}

core::api_error too_many(std::int64_t limit, std::int64_t retry_after_secs, std::string window,
                         std::string message) {
    auto err = core::api_error::make(core::errc::rate_limit_exceeded, std::move(message));
    err.details = {{"limit", limit}, {"retry_after_secs", retry_after_secs}, {"window", window}};
    err.headers.emplace_back("Retry-After", std::to_string(retry_after_secs));
    return err;
}

}  // namespace

void visit_rate_limit_headers(const decision* requests, const decision* tokens,
                              core::function_ref<void(std::string_view, std::int64_t)> visit) {
    if (requests != nullptr) {
        visit("X-RateLimit-Limit", requests->spec.limit);
        visit("X-RateLimit-Remaining", requests->remaining);
        visit("X-RateLimit-Reset", requests->reset_secs);
    }
    if (tokens != nullptr) {
        visit("X-TokenRateLimit-Limit", tokens->spec.limit);
        visit("X-TokenRateLimit-Remaining", tokens->remaining);
        visit("X-TokenRateLimit-Used", tokens->used);
    }
}

void visit_rate_limit_headers(const check_result& r,
                              core::function_ref<void(std::string_view, std::int64_t)> visit) {
    visit_rate_limit_headers(r.tightest(limit_unit::requests), r.tightest(limit_unit::tokens),
                             visit);
}

header_list rate_limit_headers(const decision* requests, const decision* tokens) {
    header_list h;
    visit_rate_limit_headers(requests, tokens, [&h](std::string_view name, std::int64_t value) {
        h.emplace_back(name, std::to_string(value));
    });
    return h;
}

header_list rate_limit_headers(const check_result& r) {
    return rate_limit_headers(r.tightest(limit_unit::requests), r.tightest(limit_unit::tokens));
}

core::api_error rate_limit_error(const decision& denied) {
    const std::string window = window_name(denied.spec.window_ms);
    std::string message = "Rate limit exceeded: " + std::to_string(denied.spec.limit) + " " +
                          std::string(unit_word(denied.spec.unit, denied.spec.limit)) + " per " +
                          window;
    return too_many(denied.spec.limit, denied.retry_after_secs, window, std::move(message));
}

core::api_error rate_limit_error(const check_result& r) {
    const decision* denied = r.denial();
    if (denied == nullptr) {  // precondition broken; still answer with a well-formed 429
        return too_many(0, 1, "minute", "Rate limit exceeded");
    }
    core::api_error err = rate_limit_error(*denied);
    for (auto& h : rate_limit_headers(r)) {
        err.headers.push_back(std::move(h));
    }
    return err;
}

core::api_error concurrency_limit_error(std::int64_t limit) {
    std::string message = "Rate limit exceeded: " + std::to_string(limit) + " concurrent " +
                          std::string(unit_word(limit_unit::requests, limit));
    return too_many(limit, 1, "concurrent", std::move(message));
}

core::api_error budget_error(const budget_denial& denial) {
    return core::api_error::make(
        core::errc::budget_exceeded,
        "Budget limit exceeded for " + std::string(period_name(denial.period)) + " period");
}

header_list budget_warning_headers(const budget_status& s, double warning_threshold) {
    header_list h;
    if (s.limit_cents <= 0) {
        return h;
    }
    const double limit_microcents = static_cast<double>(s.limit_cents) * microcents_per_cent;
    const double ratio = static_cast<double>(s.spent_microcents) / limit_microcents;
    if (!(ratio >= warning_threshold)) {
        return h;
    }
    const std::string period(period_name(s.period));
    const std::string percentage = one_decimal(ratio * 100.0);
    const std::int64_t spent_cents =
        (s.spent_microcents + microcents_per_cent / 2) / microcents_per_cent;
    h.emplace_back("X-Budget-Warning", percentage + "% of " + period + " budget used");
    h.emplace_back("X-Budget-Spend-Percentage", percentage);
    h.emplace_back("X-Budget-Current-Spend-Cents", std::to_string(spent_cents));
    h.emplace_back("X-Budget-Limit-Cents", std::to_string(s.limit_cents));
    h.emplace_back("X-Budget-Period", period);
    return h;
}

}  // namespace hadrian::limits
