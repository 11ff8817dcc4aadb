// server::prepare_descriptors: the soft limit raised to the hard one, the descriptor table
// grown to hold it (up to the cap), and no descriptor left open by doing so.
#include "hadrian/server/descriptors.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>

namespace hadrian::server {
namespace {

std::size_t open_descriptors() {
    return static_cast<std::size_t>(
        std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                      std::filesystem::directory_iterator{}));
}

TEST(PrepareDescriptors, RaisesTheSoftLimitToTheHardOne) {
    const descriptor_room room = prepare_descriptors(1024);
    rlimit lim{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &lim), 0);
    EXPECT_EQ(lim.rlim_cur, lim.rlim_max);
    EXPECT_EQ(room.limit, static_cast<std::size_t>(lim.rlim_cur));
}

TEST(PrepareDescriptors, GrowsTheTableUpToTheCap) {
    const std::size_t before = open_descriptors();
    const descriptor_room room = prepare_descriptors(4096);
    const std::size_t want = std::min<std::size_t>(room.limit, 4096);
    EXPECT_GE(room.table, want) << "the table holds the descriptors wanted without growing";
    EXPECT_EQ(open_descriptors(), before) << "no descriptor is left open";
}

}  // namespace
}  // namespace hadrian::server
