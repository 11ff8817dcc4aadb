#include "hadrian/core/histogram.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace hadrian::core {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

TEST(Histogram, CumulativeBucketsSumAndCount) {
    histogram h;
    h.observe(10us);   // ≤ 25 µs
    h.observe(25us);   // ≤ 25 µs (bounds are inclusive)
    h.observe(300us);  // ≤ 500 µs
    h.observe(2s);     // ≤ 10 s
    h.observe(-5us);   // clamped to 0
    h.observe(120s);   // +Inf only
    std::string out;
    h.render(out, "x_seconds", "kind=\"a\"");
    EXPECT_THAT(out, HasSubstr("x_seconds_bucket{kind=\"a\",le=\"2.5e-05\"} 3\n"));
    EXPECT_THAT(out, HasSubstr("x_seconds_bucket{kind=\"a\",le=\"0.00025\"} 3\n"));
    EXPECT_THAT(out, HasSubstr("x_seconds_bucket{kind=\"a\",le=\"0.0005\"} 4\n"));
    EXPECT_THAT(out, HasSubstr("x_seconds_bucket{kind=\"a\",le=\"10\"} 5\n"));
    EXPECT_THAT(out, HasSubstr("x_seconds_bucket{kind=\"a\",le=\"+Inf\"} 6\n"));
    EXPECT_THAT(out, HasSubstr("x_seconds_count{kind=\"a\"} 6\n"));
    EXPECT_THAT(out, HasSubstr("x_seconds_sum{kind=\"a\"} 122.000335\n"));
}

TEST(Histogram, NoLabels) {
    histogram h;
    h.observe(1ms);
    std::string out;
    h.render(out, "y");
    EXPECT_THAT(out, HasSubstr("y_bucket{le=\"0.001\"} 1\n"));
    EXPECT_THAT(out, HasSubstr("y_count 1\n"));
}

TEST(Histogram, ConcurrentObservationsAreAllCounted) {
    histogram h;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&h] {
            for (int i = 0; i < 10000; ++i) {
                h.observe(std::chrono::microseconds(i % 2000));
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    std::string out;
    h.render(out, "z");
    EXPECT_THAT(out, HasSubstr("z_count 40000\n"));
}

}  // namespace
}  // namespace hadrian::core
