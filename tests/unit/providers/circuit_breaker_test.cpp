#include "hadrian/providers/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace hadrian::providers {
namespace {

using state = circuit_breaker::state;
using namespace std::chrono_literals;

config::circuit_breaker_config cfg(std::uint32_t failures, std::uint32_t open_secs,
                                   std::uint32_t successes) {
    config::circuit_breaker_config c;
    c.enabled = true;
    c.failure_threshold = failures;
    c.open_timeout_secs = open_secs;
    c.success_threshold = successes;
    return c;
}

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresOnly) {
    circuit_breaker b("p", cfg(3, 10, 1));
    const auto t0 = circuit_breaker::clock::time_point{} + 1h;
    b.record_failure(t0);
    b.record_failure(t0);
    b.record_success(t0);  // resets the run
    b.record_failure(t0);
    b.record_failure(t0);
    EXPECT_EQ(b.current(t0), state::closed);
    EXPECT_TRUE(b.allow(t0));
    b.record_failure(t0);
    EXPECT_EQ(b.current(t0), state::open);
    EXPECT_FALSE(b.allow(t0 + 9s));
}

TEST(CircuitBreaker, HalfOpenAllowsOneTrialThenClosesAfterSuccesses) {
    circuit_breaker b("p", cfg(1, 10, 2));
    const auto t0 = circuit_breaker::clock::time_point{} + 1h;
    b.record_failure(t0);
    ASSERT_FALSE(b.allow(t0 + 5s));
    EXPECT_TRUE(b.allow(t0 + 10s));   // half-open: the trial
    EXPECT_FALSE(b.allow(t0 + 10s));  // only one at a time
    b.record_success(t0 + 11s);
    EXPECT_EQ(b.current(t0 + 11s), state::half_open);
    EXPECT_TRUE(b.allow(t0 + 11s));
    b.record_success(t0 + 12s);
    EXPECT_EQ(b.current(t0 + 12s), state::closed);
}

TEST(CircuitBreaker, FailingTrialDoublesThePause) {
    circuit_breaker b("p", cfg(1, 10, 1));
    const auto t0 = circuit_breaker::clock::time_point{} + 1h;
    b.record_failure(t0);
    ASSERT_TRUE(b.allow(t0 + 10s));
    b.record_failure(t0 + 10s);  // open again, for 20 s now
    EXPECT_FALSE(b.allow(t0 + 29s));
    EXPECT_TRUE(b.allow(t0 + 30s));
    b.record_success(t0 + 30s);
    EXPECT_EQ(b.current(t0 + 30s), state::closed);
    // After closing, the pause is back to the configured one.
    b.record_failure(t0 + 31s);
    EXPECT_TRUE(b.allow(t0 + 41s));
}

TEST(CircuitBreaker, DisabledNeverOpens) {
    auto c = cfg(1, 10, 1);
    c.enabled = false;
    circuit_breaker b("p", c);
    const auto t0 = circuit_breaker::clock::time_point{} + 1h;
    for (int i = 0; i < 10; ++i) {
        b.record_failure(t0);
    }
    EXPECT_TRUE(b.allow(t0));
}

TEST(CircuitBreaker, FailedProbesOpenItWithoutTraffic) {
    circuit_breaker b("p", cfg(2, 60, 2));
    const auto t0 = circuit_breaker::clock::time_point{} + 1h;
    b.record_probe(false, t0);
    EXPECT_EQ(b.current(t0), state::closed);
    b.record_probe(false, t0);
    EXPECT_EQ(b.current(t0), state::open);
    EXPECT_FALSE(b.allow(t0));
}

TEST(CircuitBreaker, SuccessfulProbesCloseItBeforeThePauseEnds) {
    circuit_breaker b("p", cfg(1, 60, 2));
    const auto t0 = circuit_breaker::clock::time_point{} + 1h;
    b.record_failure(t0);
    ASSERT_EQ(b.current(t0), state::open);
    b.record_probe(true, t0 + 1s);
    EXPECT_EQ(b.current(t0 + 1s), state::half_open);  // one of two successes
    b.record_probe(true, t0 + 2s);
    EXPECT_EQ(b.current(t0 + 2s), state::closed);
    EXPECT_TRUE(b.allow(t0 + 2s));
}

TEST(CircuitBreaker, ProbeSuccessWhileClosedResetsTheFailureRun) {
    circuit_breaker b("p", cfg(2, 60, 1));
    const auto t0 = circuit_breaker::clock::time_point{} + 1h;
    b.record_failure(t0);
    b.record_probe(true, t0);
    b.record_failure(t0);
    EXPECT_EQ(b.current(t0), state::closed);
}

}  // namespace
}  // namespace hadrian::providers
