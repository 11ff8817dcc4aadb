// core::deadline: expiries run once on the owner's executor after the armed time, never
// after disarm, re-arming, or the owner's end.
#include "hadrian/core/deadline.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <thread>

namespace hadrian::core {
namespace {

using namespace std::chrono_literals;

struct owner {
    int fired = 0;
    std::chrono::steady_clock::time_point at;
};

/// Runs the io_context until `pred` holds or `limit` passes.
template <class Pred>
void run_until(asio::io_context& ioc, Pred pred, std::chrono::milliseconds limit = 2000ms) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!pred() && std::chrono::steady_clock::now() < end) {
        ioc.run_for(5ms);
        ioc.restart();
    }
}

TEST(Deadline, FiresOnceAfterTheArmedTime) {
    asio::io_context ioc;
    auto o = std::make_shared<owner>();
    deadline d(ioc.get_executor());
    d.start(o, [o = o.get()] {
        ++o->fired;
        o->at = std::chrono::steady_clock::now();
    });
    const auto armed_at = std::chrono::steady_clock::now();
    d.arm_after(30ms);
    EXPECT_TRUE(d.armed());
    run_until(ioc, [&] { return o->fired > 0; });
    ASSERT_EQ(o->fired, 1);
    EXPECT_GE(o->at - armed_at, 30ms);
    EXPECT_LE(o->at - armed_at, 30ms + 10 * deadline_tick);
    EXPECT_FALSE(d.armed());
    run_until(
        ioc, [] { return false; }, 50ms);
    EXPECT_EQ(o->fired, 1);
}

TEST(Deadline, DisarmedOrReArmedLaterDoesNotFire) {
    asio::io_context ioc;
    auto o = std::make_shared<owner>();
    deadline d(ioc.get_executor());
    d.start(o, [o = o.get()] { ++o->fired; });
    d.arm_after(20ms);
    d.disarm();
    run_until(
        ioc, [] { return false; }, 80ms);
    EXPECT_EQ(o->fired, 0);

    d.arm_after(20ms);
    d.arm_after(10s);  // the later arming replaces the earlier one
    run_until(
        ioc, [] { return false; }, 80ms);
    EXPECT_EQ(o->fired, 0);
}

TEST(Deadline, AnOwnerThatEndedIsNotCalled) {
    asio::io_context ioc;
    auto o = std::make_shared<owner>();
    int calls = 0;
    auto d = std::make_unique<deadline>(ioc.get_executor());
    d->start(o, [&calls] { ++calls; });
    d->arm_after(0ms);
    o.reset();
    run_until(
        ioc, [] { return false; }, 60ms);
    EXPECT_EQ(calls, 0);
    d.reset();  // unregisters; the sweep stops when none is left
    run_until(
        ioc, [] { return false; }, 30ms);
}

TEST(Deadline, ExpiryRunsOnTheRetargetedStrand) {
    asio::io_context ioc;
    auto strand = asio::make_strand(ioc);
    auto o = std::make_shared<owner>();
    bool on_strand = false;
    deadline d(ioc.get_executor());
    d.start(o, [&] {
        on_strand = strand.running_in_this_thread();
        ++o->fired;
    });
    d.retarget(strand);
    d.arm_after(5ms);
    run_until(ioc, [&] { return o->fired > 0; });
    EXPECT_EQ(o->fired, 1);
    EXPECT_TRUE(on_strand);
}

TEST(Deadline, ManyDeadlinesEachFireOnce) {
    asio::io_context ioc;
    auto o = std::make_shared<owner>();
    std::vector<std::unique_ptr<deadline>> ds;
    for (int i = 0; i < 200; ++i) {
        ds.push_back(std::make_unique<deadline>(ioc.get_executor()));
        ds.back()->start(o, [o = o.get()] { ++o->fired; });
        ds.back()->arm_after(std::chrono::milliseconds(i % 40));
    }
    // Half end before their time: they must not fire.
    for (int i = 0; i < 200; i += 2) {
        ds[i].reset();
    }
    run_until(ioc, [&] { return o->fired >= 100; });
    run_until(
        ioc, [] { return false; }, 30ms);
    EXPECT_EQ(o->fired, 100);
}

TEST(Deadline, TheSweepSleepsWhileNothingIsArmedAndWakesForAnArming) {
    asio::io_context ioc;
    auto o = std::make_shared<owner>();
    deadline d(ioc.get_executor());
    d.start(o, [o = o.get()] { ++o->fired; });
    d.arm_after(5ms);
    run_until(ioc, [&] { return o->fired == 1; });
    ASSERT_EQ(o->fired, 1);
    // Nothing armed: the sweep stops, so the io_context runs out of work.
    run_until(
        ioc, [] { return false; }, 50ms);
    EXPECT_EQ(ioc.run_for(50ms), 0U);
    ioc.restart();
    // A new arming wakes it.
    d.arm_after(5ms);
    run_until(ioc, [&] { return o->fired == 2; });
    EXPECT_EQ(o->fired, 2);
}

TEST(Deadline, ArmedBeforeStartStillFires) {
    asio::io_context ioc;
    auto o = std::make_shared<owner>();
    deadline d(ioc.get_executor());
    d.arm_after(5ms);
    d.start(o, [o = o.get()] { ++o->fired; });
    run_until(ioc, [&] { return o->fired > 0; });
    EXPECT_EQ(o->fired, 1);
}

}  // namespace
}  // namespace hadrian::core
