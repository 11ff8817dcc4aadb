// The load engine of bench-load: one event loop, a pool of keep-alive connections, and a
// schedule of send times (open loop), a fixed set of busy connections (closed loop), or a
// set of one-request connections held at once (hold).
#pragma once

#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "options.hpp"

namespace bench::load {

using clock = std::chrono::steady_clock;

/// What one run measured. Latencies are from the scheduled send time (open loop, hold) or
/// from the send (closed loop) to the last byte; ttfb to the first byte of the body.
struct result {
    std::uint64_t ok = 0;
    std::uint64_t ok_in_window = 0;  // completed within the sending window
    std::map<std::string, std::uint64_t> errors;
    std::map<int, std::uint64_t> statuses;
    std::vector<std::uint32_t> latency_us;
    std::vector<std::uint32_t> ttfb_us;
    std::uint64_t connections_opened = 0;
    std::uint64_t max_in_flight = 0;
    std::uint64_t scheduled = 0;
    /// With --timeline: per answered request, microseconds from the run's start to its
    /// scheduled send, connect, written request, response head, first body byte and end.
    std::vector<std::array<std::uint32_t, 6>> timeline;
    std::int64_t start_ns = 0;  // the run's start on the steady (CLOCK_MONOTONIC) clock
    double window_s = 0;        // the sending window
    double elapsed_s = 0;       // until the last answer (or the drain deadline)
};

class engine {
public:
    engine(boost::asio::io_context& io, const options& opt);
    ~engine();

    /// Runs the load to its end.
    result run();

private:
    struct conn;
    using conn_ptr = std::shared_ptr<conn>;

    void dispatch(clock::time_point scheduled);
    void open(clock::time_point scheduled);
    void send(const conn_ptr& c, clock::time_point scheduled);
    void read(const conn_ptr& c);
    void on_read(const conn_ptr& c, boost::system::error_code ec, std::size_t n);
    void complete(const conn_ptr& c);
    void fail(const conn_ptr& c, const char* kind);
    void release(const conn_ptr& c, bool reusable);
    void next_tick();
    void sweep();
    bool finished() const;
    void count_error(const char* kind) { ++res_.errors[kind]; }

    boost::asio::io_context& io_;
    const options& opt_;
    const std::string request_;
    boost::asio::ip::tcp::endpoint endpoint_;
    boost::asio::steady_timer schedule_timer_;
    boost::asio::steady_timer sweep_timer_;

    enum class mode { open, closed, hold } mode_;
    double rate_ = 0;
    std::uint64_t total_ = 0;  // open loop and hold: requests to schedule
    std::uint64_t next_ = 0;   // next request to schedule
    unsigned max_connections_ = 0;
    clock::time_point start_;
    clock::time_point window_end_;
    clock::time_point drain_end_;

    std::vector<conn_ptr> conns_;  // every open connection
    std::vector<conn_ptr> idle_;
    std::deque<clock::time_point> pending_;  // scheduled, waiting for a connection
    std::uint64_t in_flight_ = 0;
    bool sending_done_ = false;
    clock::time_point last_answer_;
    result res_;
};

}  // namespace bench::load
