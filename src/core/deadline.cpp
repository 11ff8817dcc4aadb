#include "hadrian/core/deadline.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <limits>
#include <mutex>
#include <vector>

namespace hadrian::core {

namespace {

constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

std::int64_t ticks(deadline::clock::time_point t) noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

struct deadline::state {
    asio::any_io_executor executor;
    std::weak_ptr<void> owner;
    std::function<void()> on_expiry;
    std::atomic<std::int64_t> at{never};
    std::atomic<std::uint64_t> generation{0};
    std::size_t index = 0;  // position in the service's list; guarded by its mutex
};

/// The sweep of one io_context: the registered deadlines and the timer that checks them.
class deadline_service final : public asio::execution_context::service {
public:
    using key_type = deadline_service;
    static inline asio::execution_context::id id;

    explicit deadline_service(asio::execution_context& ctx)
        : asio::execution_context::service(ctx),
          timer_(static_cast<asio::io_context&>(ctx).get_executor()) {}

    void add(const std::shared_ptr<deadline::state>& s) {
        std::lock_guard lock(mutex_);
        s->index = entries_.size();
        entries_.push_back(s);
    }

    /// Called by arm_at: the sweep sleeps while nothing is armed (an idle gateway with open
    /// keep-alive connections does not wake up every tick).
    void armed() {
        if (!sleeping_.load() || !sleeping_.exchange(false)) {
            return;
        }
        asio::post(timer_.get_executor(), [this] {
            std::lock_guard lock(mutex_);
            if (!running_ && !stopped_) {
                running_ = true;
                schedule_locked();
            }
        });
    }

    void remove(deadline::state* s) {
        std::lock_guard lock(mutex_);
        const std::size_t i = s->index;
        if (i >= entries_.size() || entries_[i].get() != s) {
            return;
        }
        entries_[i] = std::move(entries_.back());
        entries_[i]->index = i;
        entries_.pop_back();
    }

    void retarget(deadline::state* s, const asio::any_io_executor& ex) {
        std::lock_guard lock(mutex_);
        s->executor = ex;
    }

private:
    void shutdown() override {
        std::lock_guard lock(mutex_);
        stopped_ = true;
        entries_.clear();
        timer_.cancel();
    }

    void schedule_locked() {
        timer_.expires_after(deadline_tick);
        timer_.async_wait([this](error_code ec) {
            if (!ec) {
                sweep();
            }
        });
    }

    void sweep() {
        const std::int64_t now = ticks(coarse_clock::now());
        std::lock_guard lock(mutex_);
        if (stopped_) {
            return;
        }
        bool any_armed = false;
        for (const auto& s : entries_) {
            const std::int64_t at = s->at.load(std::memory_order_relaxed);
            if (at > now) {
                any_armed = any_armed || at != never;
                continue;
            }
            s->at.store(never, std::memory_order_relaxed);
            const std::uint64_t generation = s->generation.load(std::memory_order_relaxed);
            asio::post(s->executor, [s, generation] {
                auto owner = s->owner.lock();
                if (owner && s->generation.load(std::memory_order_relaxed) == generation) {
                    s->on_expiry();
                }
            });
        }
        if (!any_armed) {
            // Going to sleep; an arming that raced with this scan is seen by the second look
            // (or it sees `sleeping_` and wakes the sweep).
            sleeping_.store(true);
            any_armed = std::any_of(entries_.begin(), entries_.end(),
                                    [](const auto& s) { return s->at.load() != never; });
            if (!any_armed) {
                running_ = false;
                return;
            }
            sleeping_.store(false);
        }
        schedule_locked();
    }

    std::mutex mutex_;
    std::vector<std::shared_ptr<deadline::state>> entries_;
    asio::steady_timer timer_;
    bool running_ = false;
    bool stopped_ = false;
    std::atomic<bool> sleeping_{true};  // no sweep is scheduled: the next arming starts one
};

deadline::deadline(const asio::any_io_executor& ex) : state_(std::make_shared<state>()) {
    state_->executor = ex;
}

deadline::~deadline() {
    if (service_ != nullptr) {
        service_->remove(state_.get());
    }
}

void deadline::start(std::weak_ptr<void> owner, std::function<void()> on_expiry) {
    state_->owner = std::move(owner);
    state_->on_expiry = std::move(on_expiry);
    auto& ctx = asio::query(state_->executor, asio::execution::context);
    service_ = &asio::use_service<deadline_service>(ctx);
    service_->add(state_);
    if (armed()) {
        service_->armed();
    }
}

void deadline::retarget(const asio::any_io_executor& ex) {
    if (service_ == nullptr) {
        state_->executor = ex;
    } else if (state_->executor != ex) {
        service_->retarget(state_.get(), ex);
    }
}

void deadline::arm_at(clock::time_point at) noexcept {
    // A new generation: an expiry already queued for the previous arming is ignored.
    state_->generation.fetch_add(1, std::memory_order_relaxed);
    state_->at.store(ticks(at));
    if (service_ != nullptr) {
        service_->armed();
    }
}

void deadline::disarm() noexcept {
    state_->generation.fetch_add(1, std::memory_order_relaxed);
    state_->at.store(never, std::memory_order_relaxed);
}

bool deadline::armed() const noexcept {
    return state_->at.load(std::memory_order_relaxed) != never;
}

}  // namespace hadrian::core
