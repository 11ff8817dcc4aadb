// The access log's sink: lines gathered in memory and written to stderr in batches (every
// `flush_interval` or when `flush_bytes` are waiting, and at once on flush()), instead of one
// write per request. A warning or worse flushes at once (the logger's flush_on).
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace hadrian::core {

class batched_stderr_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    static constexpr std::chrono::milliseconds flush_interval{50};
    static constexpr std::size_t flush_bytes = 32 * 1024;

    batched_stderr_sink();
    ~batched_stderr_sink() override;
    batched_stderr_sink(const batched_stderr_sink&) = delete;
    batched_stderr_sink& operator=(const batched_stderr_sink&) = delete;

    /// A line formatted by its writer (ending in a newline), gathered with the others.
    void append_line(std::string_view line);

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override;
    void flush_() override;

private:
    void flusher();
    void append_locked(std::string_view line);

    std::string pending_;                     // guarded by base_sink's mutex_
    std::atomic<std::uint64_t> appended_{0};  // lines so far: a wake-up is never lost
    std::mutex wake_mutex_;
    std::condition_variable wake_;
    bool waiting_data_ = false;  // the flusher sleeps until lines arrive
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace hadrian::core
