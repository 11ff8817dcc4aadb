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
    : db_(db), interval_(interval), batch_size_(batch_size), max_pending_(max_pending) {}

void usage_writer::record(storage::usage_record r) {
    bool batch_ready = false;
    {
        std::lock_guard lock(mutex_);
        if (pending_.size() >= max_pending_) {
            // A tenth at once: dropping one per record would shift the whole queue every time.
            const std::size_t room = std::max<std::size_t>(max_pending_ / 10, 1);
            const std::size_t dropped =
                drop_oldest_locked(max_pending_ > room ? max_pending_ - room : 0);
            log()->warn("usage queue full: dropped the {} oldest records", dropped);
        }
        pending_.push_back(std::move(r));
        batch_ready = pending_.size() == batch_size_;
    }
    if (batch_ready && timer_) {
        // Written now, while the records are in the caches still; the loop's own check after
        // a write covers a wake that finds it busy.
        asio::post(*strand_, [this] { timer_->cancel(); });
    }
}

std::size_t usage_writer::drop_oldest_locked(std::size_t keep) {
    if (pending_.size() <= keep) {
        return 0;
    }
    const std::size_t dropped = pending_.size() - keep;
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(dropped));
    return dropped;
}

std::vector<storage::usage_record> usage_writer::take(std::size_t multiple) {
    std::lock_guard lock(mutex_);
    std::vector<storage::usage_record> out;
    const std::size_t n = pending_.size() - pending_.size() % multiple;
    if (n == pending_.size()) {
        out.swap(pending_);
        // The next interval likely brings as many: room for them at once, where growing by
        // doubling would move every record queued so far at each step.
        pending_.reserve(std::min(out.size(), max_pending_));
        return out;
    }
    const auto end = pending_.begin() + static_cast<std::ptrdiff_t>(n);
    out.assign(std::make_move_iterator(pending_.begin()), std::make_move_iterator(end));
    pending_.erase(pending_.begin(), end);
    return out;
}

void usage_writer::give_back(std::vector<storage::usage_record> rows) {
    std::lock_guard lock(mutex_);
    rows.insert(rows.end(), std::make_move_iterator(pending_.begin()),
                std::make_move_iterator(pending_.end()));
    pending_ = std::move(rows);
    if (const std::size_t dropped = drop_oldest_locked(max_pending_); dropped != 0) {
        log()->warn("usage queue full: dropped the {} oldest records", dropped);
    }
}

std::size_t usage_writer::pending() const {
    std::lock_guard lock(mutex_);
    return pending_.size();
}

void usage_writer::start(asio::io_context& ioc) {
    strand_.emplace(asio::make_strand(ioc));
    timer_ = std::make_unique<asio::steady_timer>(*strand_);
    asio::co_spawn(*strand_, flush_loop(), asio::detached);
}

awaitable<void> usage_writer::flush_loop() {
    bool failed = false;
    for (;;) {
        // Full batches go at once, in transactions of batch_size rows; the rest when the
        // interval has passed, and so does a write that failed.
        bool batches_only = !failed && pending() >= batch_size_;
        if (!batches_only) {
            timer_->expires_after(interval_);
            const auto [ec] = co_await timer_->async_wait(use_nothrow);
            batches_only = ec == asio::error::operation_aborted;  // woken by record()
        }
        failed = false;
        // Shared with the database thread rather than copied into its tasks.
        const auto rows = std::make_shared<std::vector<storage::usage_record>>(
            take(batches_only ? batch_size_ : 1));
        if (rows->empty()) {
            continue;
        }
        // Large backlogs go in several transactions of batch_size rows, one after another.
        for (std::size_t at = 0; at < rows->size();) {
            const std::size_t n = std::min(rows->size() - at, batch_size_);
            auto write = [rows, at, n](storage::store& s) {
                return write_batch(s, std::span(*rows).subspan(at, n));
            };
            auto written = co_await db_.run(std::move(write));
            if (!written) {
                log()->error("writing {} usage records failed; will retry", n);
                rows->erase(rows->begin(), rows->begin() + static_cast<std::ptrdiff_t>(at));
                give_back(std::move(*rows));
                failed = true;
                break;
            }
            // Written records give their memory back now, not after the whole backlog, and on
            // this thread, which allocated it. Destroyed: an assignment would keep the strings'
            // buffers.
            for (auto& r : std::span(*rows).subspan(at, n)) {
                std::destroy_at(&r);
                std::construct_at(&r);
            }
            at += n;
        }
    }
}

void usage_writer::flush() {
    auto rows = take(1);
    if (rows.empty()) {
        return;
    }
    auto written = db_.run_sync([&rows](storage::store& s) { return write_batch(s, rows); });
    if (!written) {
        log()->error("final flush of {} usage records failed", rows.size());
    } else {
        log()->info("flushed {} usage records", rows.size());
    }
}

}  // namespace hadrian::api
