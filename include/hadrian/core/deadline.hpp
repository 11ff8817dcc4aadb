// Deadlines without a timer per operation: arming and disarming are stores to atomics, and
// one sweep per io_context (every `deadline_tick`, only while deadlines exist) runs the
// expired ones on their owner's executor. A per-operation asio timer costs a heap insert and,
// when the operation wins, a cancelled handler queued through the event loop; a request makes
// several. Accuracy is one tick.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "hadrian/core/asio.hpp"
#include "hadrian/core/coarse_clock.hpp"

namespace hadrian::core {

inline constexpr std::chrono::milliseconds deadline_tick{10};

class deadline_service;

/// One owner's deadline (a connection's). Thread safety: arm/disarm from the owner's
/// executor; the sweep only reads. Lifetime: the owner's; the expiry callback runs with the
/// owner kept alive through the weak pointer given to start().
class deadline {
public:
    using clock = std::chrono::steady_clock;

    explicit deadline(const asio::any_io_executor& ex);
    ~deadline();
    deadline(const deadline&) = delete;
    deadline& operator=(const deadline&) = delete;

    /// Registers with the sweep; `on_expiry` runs on the executor while `owner` lives.
    void start(std::weak_ptr<void> owner, std::function<void()> on_expiry);

    /// Expiries run on `ex` from now on (a pooled connection moves between strands).
    void retarget(const asio::any_io_executor& ex);

    void arm_at(clock::time_point at) noexcept;
    void arm_after(clock::duration d) noexcept { arm_at(coarse_clock::now() + d); }
    void disarm() noexcept;
    bool armed() const noexcept;

    /// The registration shared with the sweep (an implementation detail).
    struct state;

private:
    std::shared_ptr<state> state_;
    deadline_service* service_ = nullptr;
};

}  // namespace hadrian::core
