#include "hadrian/core/io_mutex.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace hadrian::core {
namespace {

/// Restores the process's default (every io_mutex locks) when a test ends.
struct single_thread_mode {
    single_thread_mode() { io_mutex::set_single_thread(true); }
    ~single_thread_mode() { io_mutex::set_single_thread(false); }
};

TEST(IoMutex, WithSeveralThreadsItExcludesTheOthers) {
    io_mutex m;
    std::int64_t count = 0;
    constexpr int per_thread = 200'000;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < per_thread; ++i) {
                const std::lock_guard lock(m);
                // A read and a write apart: lost updates show when two threads interleave.
                const std::int64_t seen = count;
                count = seen + 1;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(count, 4 * per_thread);
}

TEST(IoMutex, WithOneThreadALockTakenTwiceDoesNotWait) {
    const single_thread_mode one;
    io_mutex m;
    int entered = 0;
    {
        const std::lock_guard outer(m);
        ++entered;
        // A std::mutex would deadlock here: the event loop's one thread needs no lock.
        const std::lock_guard inner(m);
        ++entered;
    }
    EXPECT_EQ(entered, 2);
}

}  // namespace
}  // namespace hadrian::core
