#include "hadrian/limits/rate_limiter.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <utility>

namespace hadrian::limits {
namespace {

std::int64_t window_of(const limit_spec& spec) { return std::max<std::int64_t>(spec.window_ms, 1); }

std::int64_t ceil_secs(std::int64_t ms) { return (ms + 999) / 1000; }

/// A decision from the state a store returned for `spec`.
decision make_decision(const limit_spec& spec, std::int64_t amount, bool allowed,
                       const window_state& st) {
    const std::int64_t w = window_of(spec);
    const std::int64_t elapsed = st.position.elapsed_ms;
    decision d;
    d.spec = spec;
    d.allowed = allowed;
    d.amount = amount;
    d.used = sliding_estimate(st.counts, w, elapsed);
    d.remaining = std::max<std::int64_t>(spec.limit - d.used, 0);
    d.reset_secs = std::max<std::int64_t>(ceil_secs(w - elapsed), 1);
    d.at_ms = st.position.start_ms + elapsed;
    if (!allowed) {
        const std::int64_t wait = sliding_wait_ms(st.counts, w, elapsed, amount, spec.limit);
        // An amount above the limit never fits; a window's length is as good an answer as any.
        d.retry_after_secs = std::max<std::int64_t>(ceil_secs(wait < 0 ? w : wait), 1);
    }
    return d;
}

/// The key of a subject's window group, `rl:<subject>`, composed on the stack (on the heap
/// only when very long).
class key_text {
public:
    explicit key_text(std::string_view subject) {
        const std::size_t size = prefix.size() + subject.size();
        char* out = inline_;
        if (size > sizeof inline_) {
            heap_.resize(size);
            out = heap_.data();
        }
        view_ = {out, size};
        out = std::copy(prefix.begin(), prefix.end(), out);
        std::copy(subject.begin(), subject.end(), out);
    }
    key_text(const key_text&) = delete;
    key_text& operator=(const key_text&) = delete;

    operator std::string_view() const noexcept { return view_; }  // NOLINT: a string's stand-in

    static constexpr std::string_view prefix = "rl:";

private:
    char inline_[128];
    std::string heap_;
    std::string_view view_;
};

window_ask ask(const limit_spec& spec, std::int64_t amount, std::int64_t limit) {
    return window_ask{spec.name, window_of(spec), std::max<std::int64_t>(amount, 0), limit};
}

limit_spec make_spec(const char* name, limit_unit unit, std::int64_t limit, std::int64_t window) {
    return limit_spec{name, unit, limit, window};
}

}  // namespace

limit_spec limit_spec::requests_per_minute(std::int64_t limit) {
    return make_spec("requests_per_minute", limit_unit::requests, limit, minute_ms);
}
limit_spec limit_spec::requests_per_day(std::int64_t limit) {
    return make_spec("requests_per_day", limit_unit::requests, limit, day_ms);
}
limit_spec limit_spec::tokens_per_minute(std::int64_t limit) {
    return make_spec("tokens_per_minute", limit_unit::tokens, limit, minute_ms);
}
limit_spec limit_spec::tokens_per_day(std::int64_t limit) {
    return make_spec("tokens_per_day", limit_unit::tokens, limit, day_ms);
}

limit_list<limit_spec> limit_specs(const config::rate_limits_config& c) {
    limit_list<limit_spec> out;
    if (c.requests_per_minute) {
        out.push_back(limit_spec::requests_per_minute(*c.requests_per_minute));
    }
    if (c.requests_per_day) {
        out.push_back(limit_spec::requests_per_day(*c.requests_per_day));
    }
    if (c.tokens_per_minute) {
        out.push_back(limit_spec::tokens_per_minute(
            static_cast<std::int64_t>(std::min<std::uint64_t>(*c.tokens_per_minute, INT64_MAX))));
    }
    if (c.tokens_per_day) {
        out.push_back(limit_spec::tokens_per_day(
            static_cast<std::int64_t>(std::min<std::uint64_t>(*c.tokens_per_day, INT64_MAX))));
    }
    return out;
}

std::string window_name(std::int64_t window_ms) {
    switch (window_ms) {
        case 1000:
            return "second";
        case minute_ms:
            return "minute";
        case 3'600'000:
            return "hour";
        case day_ms:
            return "day";
        default:
            break;
    }
    if (window_ms % 1000 == 0) {
        return std::to_string(window_ms / 1000) + "s";
    }
    return std::to_string(window_ms) + "ms";
}

const decision* check_result::denial() const {
    if (allowed) {
        return nullptr;
    }
    // Decisions before the denial passed; those after it may fail too.
    const auto it = std::find_if(decisions.begin(), decisions.end(),
                                 [](const decision& d) { return !d.allowed; });
    return it == decisions.end() ? nullptr : &*it;
}

const decision* check_result::tightest(limit_unit unit) const {
    if (const decision* denied = denial(); denied != nullptr && denied->spec.unit == unit) {
        return denied;
    }
    const decision* best = nullptr;
    for (const auto& d : decisions) {
        if (d.spec.unit != unit) {
            continue;
        }
        if (best == nullptr || d.remaining < best->remaining ||
            (d.remaining == best->remaining && d.spec.window_ms < best->spec.window_ms)) {
            best = &d;
        }
    }
    return best;
}

rate_limiter::rate_limiter(counter_store& store, const clock& clock)
    : store_(store), clock_(clock) {}

decision rate_limiter::hit(std::string_view subject, const limit_spec& spec, std::int64_t amount) {
    const window_ask one = ask(spec, amount, spec.limit);
    window_state st;
    store_.window_hit(key_text(subject), std::span(&one, 1), clock_.now_ms(), std::span(&st, 1));
    return make_decision(spec, one.amount, st.allowed, st);
}

decision rate_limiter::peek(std::string_view subject, const limit_spec& spec) {
    const window_ask one = ask(spec, 0, counter_store::max_limit);
    window_state st;
    store_.window_hit(key_text(subject), std::span(&one, 1), clock_.now_ms(), std::span(&st, 1));
    const bool fits =
        sliding_admits(st.counts, one.window_ms, st.position.elapsed_ms, 0, spec.limit);
    return make_decision(spec, 0, fits, st);
}

void rate_limiter::adjust(std::string_view subject, const limit_spec& spec, std::int64_t delta,
                          std::int64_t at_ms) {
    if (delta == 0) {
        return;
    }
    const window_correction c{spec.name, window_of(spec), at_ms, delta};
    store_.window_add(key_text(subject), std::span(&c, 1), clock_.now_ms());
}

check_result rate_limiter::check_all(std::string_view subject, std::span<const limit_spec> specs,
                                     hit_amounts amounts) {
    if (specs.size() > max_limits) {
        throw std::length_error("rate_limiter::check_all: more than max_limits limits");
    }
    limit_list<window_ask> asks;
    for (const limit_spec& spec : specs) {
        asks.push_back(ask(spec, amounts.of(spec.unit), spec.limit));
    }
    std::array<window_state, max_limits> states;
    check_result r;
    r.allowed = store_.window_hit(key_text(subject), asks, clock_.now_ms(),
                                  std::span(states.data(), asks.size()));
    for (std::size_t i = 0; i < specs.size(); ++i) {
        r.decisions.push_back(
            make_decision(specs[i], asks[i].amount, states[i].allowed, states[i]));
    }
    return r;
}

void rate_limiter::adjust_tokens(std::string_view subject, const token_reservation& reserved,
                                 std::int64_t actual_tokens) {
    const std::int64_t actual = std::max<std::int64_t>(actual_tokens, 0);
    limit_list<window_correction> corrections;
    for (const window_correction& counted : reserved) {
        if (actual != counted.delta) {
            corrections.push_back(
                {counted.name, counted.window_ms, counted.at_ms, actual - counted.delta});
        }
    }
    if (!corrections.empty()) {
        store_.window_add(key_text(subject), corrections, clock_.now_ms());
    }
}

token_reservation reserved_tokens(const check_result& checked) {
    token_reservation reserved;
    if (checked.allowed) {
        for (const decision& d : checked.decisions) {
            if (d.spec.unit == limit_unit::tokens) {
                reserved.push_back({d.spec.name, window_of(d.spec), d.at_ms, d.amount});
            }
        }
    }
    return reserved;
}

}  // namespace hadrian::limits
