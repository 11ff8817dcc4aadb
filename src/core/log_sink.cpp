#include "log_sink.hpp"

#include <pthread.h>
#include <unistd.h>

#include <cerrno>

namespace hadrian::core {

namespace {

void write_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;  // nowhere to log to: drop rather than block or crash
        }
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace

batched_stderr_sink::batched_stderr_sink() : thread_([this] { flusher(); }) {}

batched_stderr_sink::~batched_stderr_sink() {
    {
        std::lock_guard lock(wake_mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
    std::lock_guard lock(mutex_);
    flush_();
}

void batched_stderr_sink::sink_it_(const spdlog::details::log_msg& msg) {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    append_locked(std::string_view(formatted.data(), formatted.size()));
}

void batched_stderr_sink::append_line(std::string_view line) {
    std::lock_guard lock(mutex_);
    append_locked(line);
}

void batched_stderr_sink::append_locked(std::string_view line) {
    const bool was_empty = pending_.empty();
    pending_.append(line);
    appended_.fetch_add(1, std::memory_order_release);
    if (pending_.size() >= flush_bytes) {
        flush_();
        return;
    }
    if (was_empty) {
        bool wake = false;
        {
            std::lock_guard lock(wake_mutex_);
            wake = waiting_data_;
            waiting_data_ = false;
        }
        if (wake) {
            wake_.notify_one();
        }
    }
}

void batched_stderr_sink::flush_() {
    if (pending_.empty()) {
        return;
    }
    write_all(STDERR_FILENO, pending_);
    pending_.clear();
    if (pending_.capacity() > 4 * flush_bytes) {
        pending_.shrink_to_fit();
    }
}

void batched_stderr_sink::flusher() {
    (void)::pthread_setname_np(::pthread_self(), "hadrian-log");
    std::unique_lock wake_lock(wake_mutex_);
    while (!stopping_) {
        // Lines arrived (or may have): give them flush_interval to gather, then write.
        wake_.wait_for(wake_lock, flush_interval, [this] { return stopping_; });
        if (stopping_) {
            break;
        }
        wake_lock.unlock();
        std::uint64_t seen = 0;
        {
            std::lock_guard lock(mutex_);
            flush_();
            seen = appended_.load(std::memory_order_acquire);
        }
        wake_lock.lock();
        // Sleep until the next line (sink_it_ wakes us; one that came meanwhile is seen).
        waiting_data_ = true;
        wake_.wait(wake_lock, [this, seen] {
            return stopping_ || !waiting_data_ || appended_.load(std::memory_order_acquire) != seen;
        });
        waiting_data_ = false;
    }
}

}  // namespace hadrian::core
