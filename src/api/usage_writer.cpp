#include "usage_writer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include "hadrian/core/log.hpp"

namespace hadrian::api {

namespace {

const std::shared_ptr<spdlog::logger>& log() {
    static const auto l = core::logger("usage");
    return l;
}

}  // namespace

usage_writer::usage_writer(storage::db_executor& db, std::chrono::milliseconds interval,
                           std::size_t batch_size, std::size_t max_pending)
    : db_(db), interval_(interval), batch_size_(batch_size), max_pending_(max_pending) {}

void usage_writer::record(storage::usage_record r) {
    std::lock_guard lock(mutex_);
    if (pending_.size() >= max_pending_) {
        pending_.erase(pending_.begin());
        log()->warn("usage queue full: dropped the oldest record");
    }
    pending_.push_back(std::move(r));
}

std::vector<storage::usage_record> usage_writer::take() {
    std::lock_guard lock(mutex_);
    std::vector<storage::usage_record> out;
    out.swap(pending_);
    return out;
}

void usage_writer::give_back(std::vector<storage::usage_record> rows) {
    std::lock_guard lock(mutex_);
    rows.insert(rows.end(), std::make_move_iterator(pending_.begin()),
                std::make_move_iterator(pending_.end()));
    pending_ = std::move(rows);
    while (pending_.size() > max_pending_) {
        pending_.erase(pending_.begin());
    }
}

std::size_t usage_writer::pending() const {
    std::lock_guard lock(mutex_);
    return pending_.size();
}

void usage_writer::start(asio::io_context& ioc) {
    asio::co_spawn(ioc, flush_loop(ioc), asio::detached);
}

awaitable<void> usage_writer::flush_loop(asio::io_context& ioc) {
    asio::steady_timer timer(ioc);
    for (;;) {
        timer.expires_after(interval_);
        co_await timer.async_wait(use_nothrow);
        auto rows = take();
        if (rows.empty()) {
            continue;
        }
        // Large backlogs go in several transactions of batch_size rows.
        while (!rows.empty()) {
            const std::size_t n = std::min(rows.size(), batch_size_);
            std::vector<storage::usage_record> batch(std::make_move_iterator(rows.begin()),
                                                     std::make_move_iterator(rows.begin() + n));
            rows.erase(rows.begin(), rows.begin() + n);
            auto write = [batch](storage::store& s) { return s.insert_usage(batch); };
            auto written = co_await db_.run(std::move(write));
            if (!written) {
                log()->error("writing {} usage records failed; will retry", batch.size());
                batch.insert(batch.end(), std::make_move_iterator(rows.begin()),
                             std::make_move_iterator(rows.end()));
                give_back(std::move(batch));
                break;
            }
        }
    }
}

void usage_writer::flush() {
    auto rows = take();
    if (rows.empty()) {
        return;
    }
    auto written = db_.run_sync([&rows](storage::store& s) { return s.insert_usage(rows); });
    if (!written) {
        log()->error("final flush of {} usage records failed", rows.size());
    } else {
        log()->info("flushed {} usage records", rows.size());
    }
}

}  // namespace hadrian::api
