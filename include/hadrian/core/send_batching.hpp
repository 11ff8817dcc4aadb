/// Sends held back to the end of the event loop's turn while the gateway is busy.
///
/// A send that wakes a peer sleeping on another CPU costs the kernel an inter-processor
/// interrupt (in a VM, a trip through the hypervisor). Under load, one turn of the event loop
/// runs many ready handlers; when each sends at once, the peer is woken, handles one answer
/// and sleeps again before the next send wakes it anew. Sends made back to back at the end of
/// the turn wake it once. When the gateway is nearly idle nothing else is ready, and a send
/// held back would only cost an extra turn: then it goes out at once.
#pragma once

#include <atomic>
#include <boost/asio/post.hpp>
#include <cstdint>
#include <tuple>

#include "hadrian/core/asio.hpp"

namespace hadrian::core {

class send_batching {
public:
    /// Requests in progress from which sends are held back; 0 turns holding back off.
    static void set_threshold(std::int32_t requests) noexcept {
        threshold_.store(requests, std::memory_order_relaxed);
    }

    /// Counts a request in progress for as long as it lives.
    class request_scope {
    public:
        request_scope() noexcept { in_progress_.fetch_add(1, std::memory_order_relaxed); }
        ~request_scope() { in_progress_.fetch_sub(1, std::memory_order_relaxed); }
        request_scope(const request_scope&) = delete;
        request_scope& operator=(const request_scope&) = delete;
    };

    /// Whether enough requests are in progress that other handlers are likely ready in this
    /// turn of the event loop.
    static bool busy() noexcept {
        const std::int32_t t = threshold_.load(std::memory_order_relaxed);
        return t > 0 && in_progress_.load(std::memory_order_relaxed) >= t;
    }

private:
    static inline std::atomic<std::int32_t> threshold_{0};
    static inline std::atomic<std::int32_t> in_progress_{0};
};

/// Resumes the calling coroutine after the handlers that are ready now, on its executor (the
/// one associated with its completion). Call it before a send when `send_batching::busy()`.
/// Not a coroutine of its own: no frame more per held send.
inline awaitable<std::tuple<>> end_of_turn() { return asio::post(use_nothrow); }

}  // namespace hadrian::core
