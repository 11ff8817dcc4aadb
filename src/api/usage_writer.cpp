#include "usage_writer.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>

#include "hadrian/core/log.hpp"

namespace hadrian::api {

namespace {

const std::shared_ptr<spdlog::logger>& log() {
    static const auto l = core::logger("usage");
    return l;
}

/// One last_used_at per key of a batch: the time of its latest request (unix seconds).
std::vector<storage::key_touch> touches_of(std::span<const storage::usage_record> rows) {
    std::map<std::string, std::int64_t> latest;
    for (const auto& r : rows) {
        if (r.api_key_id) {
            auto& t = latest[*r.api_key_id];
            t = std::max(t, r.created_at / 1000);
        }
    }
    std::vector<storage::key_touch> out;
    out.reserve(latest.size());
    for (auto& [id, at] : latest) {
        out.push_back(storage::key_touch{id, at});
    }
    return out;
}

/// Store a batch and the last use of its keys; the records decide success.
result<void> write_batch(storage::store& s, std::span<const storage::usage_record> rows) {
    auto written = s.insert_usage(rows);
    if (written) {
        // last_used_at is advisory: a failure here does not fail the batch.
        (void)s.touch_last_used_many(touches_of(rows));
    }
    return written;
}

}  // namespace

usage_writer::usage_writer(storage::db_executor& db, std::chrono::milliseconds interval,
                           std::size_t batch_size, std::size_t max_pending)
    : db_(db),
      interval_(interval),
      batch_size_(std::max<std::size_t>(batch_size, 1)),
      max_pending_(max_pending) {}

void usage_writer::record(storage::usage_record r) {
    bool batch_ready = false;
    {
        std::lock_guard lock(mutex_);
        if (pending_ >= max_pending_) {
            // A tenth at once: dropping one per record would shift a chunk every time.
            const std::size_t room = std::max<std::size_t>(max_pending_ / 10, 1);
            const std::size_t dropped =
                drop_oldest_locked(max_pending_ > room ? max_pending_ - room : 0);
            log()->warn("usage queue full: dropped the {} oldest records", dropped);
        }
        if (chunks_.empty() || chunks_.back().size() >= batch_size_) {
            chunks_.push_back(std::move(spare_));
            spare_ = chunk();
            chunks_.back().reserve(batch_size_);
        }
        chunks_.back().push_back(std::move(r));
        ++pending_;
        batch_ready = chunks_.back().size() == batch_size_;
    }
    if (batch_ready && timer_) {
        // Written now, while the records are in the caches still; the loop's own check after
        // a write covers a wake that finds it busy.
        asio::post(*strand_, [this] { timer_->cancel(); });
    }
}

std::size_t usage_writer::drop_oldest_locked(std::size_t keep) {
    std::size_t dropped = 0;
    while (pending_ > keep) {
        chunk& oldest = chunks_.front();
        const std::size_t n = std::min(oldest.size(), pending_ - keep);
        oldest.erase(oldest.begin(), oldest.begin() + static_cast<std::ptrdiff_t>(n));
        pending_ -= n;
        dropped += n;
        if (oldest.empty() && chunks_.size() > 1) {
            chunks_.pop_front();
        }
    }
    return dropped;
}

bool usage_writer::full_chunk_waiting() const {
    // Only the last chunk fills: any before it is complete (or was given back short).
    std::lock_guard lock(mutex_);
    return chunks_.size() > 1 || (!chunks_.empty() && chunks_.back().size() >= batch_size_);
}

std::deque<usage_writer::chunk> usage_writer::take(bool full_only) {
    std::lock_guard lock(mutex_);
    std::deque<chunk> out;
    // Only the last chunk fills; one given back may be short and goes with those after it.
    const std::size_t keep =
        full_only && !chunks_.empty() && chunks_.back().size() < batch_size_ ? 1 : 0;
    while (chunks_.size() > keep) {
        pending_ -= chunks_.front().size();
        if (!chunks_.front().empty()) {  // emptied by drops
            out.push_back(std::move(chunks_.front()));
        }
        chunks_.pop_front();
    }
    return out;
}

void usage_writer::give_back(std::deque<chunk>& chunks, std::size_t from) {
    std::lock_guard lock(mutex_);
    for (std::size_t i = chunks.size(); i-- > from;) {
        pending_ += chunks[i].size();
        chunks_.push_front(std::move(chunks[i]));
    }
    if (const std::size_t dropped = drop_oldest_locked(max_pending_); dropped != 0) {
        log()->warn("usage queue full: dropped the {} oldest records", dropped);
    }
}

void usage_writer::recycle(chunk c) {
    // Destroyed here, on the thread that allocated their strings, and the chunk's memory kept
    // for the next records rather than allocated again.
    c.clear();
    std::lock_guard lock(mutex_);
    if (spare_.capacity() < c.capacity()) {
        spare_ = std::move(c);
    }
}

std::size_t usage_writer::pending() const {
    std::lock_guard lock(mutex_);
    return pending_;
}

void usage_writer::start(asio::io_context& ioc) {
    strand_.emplace(asio::make_strand(ioc));
    timer_ = std::make_unique<asio::steady_timer>(*strand_);
    asio::co_spawn(*strand_, flush_loop(), asio::detached);
}

awaitable<void> usage_writer::flush_loop() {
    bool failed = false;
    for (;;) {
        // Full chunks go at once, each in a transaction of its own; the rest when the interval
        // has passed, and so does a write that failed.
        bool full_only = !failed && full_chunk_waiting();
        if (!full_only) {
            timer_->expires_after(interval_);
            const auto [ec] = co_await timer_->async_wait(use_nothrow);
            full_only = ec == asio::error::operation_aborted;  // woken by record()
        }
        failed = false;
        // Shared with the database thread rather than copied into its tasks.
        const auto chunks = std::make_shared<std::deque<chunk>>(take(full_only));
        for (std::size_t i = 0; i < chunks->size(); ++i) {
            auto write = [chunks, i](storage::store& s) { return write_batch(s, (*chunks)[i]); };
            auto written = co_await db_.run(std::move(write));
            if (!written) {
                log()->error("writing {} usage records failed; will retry", (*chunks)[i].size());
                give_back(*chunks, i);
                failed = true;
                break;
            }
            recycle(std::move((*chunks)[i]));
        }
    }
}

void usage_writer::flush() {
    auto chunks = take(false);
    std::size_t written = 0;
    for (const auto& c : chunks) {
        if (!db_.run_sync([&c](storage::store& s) { return write_batch(s, c); })) {
            log()->error("final flush of {} usage records failed", c.size());
        } else {
            written += c.size();
        }
    }
    if (written != 0) {
        log()->info("flushed {} usage records", written);
    }
}

}  // namespace hadrian::api
