// At most one load of a key at a time: when many requests miss the same cache entry at once
// (a budget's spend after a restart, an API key whose cache entry expired), one of them asks
// the database and the others wait for it instead of queueing the same query N times.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hadrian/core/asio.hpp"

namespace hadrian::api {

/// Thread safety: every member may be called from any strand. Waiters resume on their own
/// executor.
class single_flight {
public:
    /// True: the caller leads and must call done(key) when its load is over (success or
    /// not). False: another caller led and has finished (or the wait was cancelled); look
    /// again.
    awaitable<bool> join(const std::string& key);

    /// Ends the flight of `key` and wakes its waiters.
    void done(const std::string& key);

private:
    struct waiter;
    std::mutex mutex_;
    std::map<std::string, std::vector<std::shared_ptr<waiter>>, std::less<>> flights_;
};

/// Calls done() when it goes out of scope (the leader's load may end in many ways).
class flight_guard {
public:
    flight_guard(single_flight& flights, std::string key)
        : flights_(flights), key_(std::move(key)) {}
    ~flight_guard() { flights_.done(key_); }
    flight_guard(const flight_guard&) = delete;
    flight_guard& operator=(const flight_guard&) = delete;

private:
    single_flight& flights_;
    std::string key_;
};

}  // namespace hadrian::api
