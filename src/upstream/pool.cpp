// Idle connection pool: the mutex only guards the map; sockets are closed after unlocking.
#include "upstream/pool.hpp"

namespace hadrian::upstream {
namespace {

void close_all(std::vector<std::shared_ptr<connection>>& conns) {
    for (auto& c : conns) {
        c->close();
    }
}

}  // namespace

pool::pool(std::size_t max_idle_per_host, std::chrono::seconds idle_ttl)
    : max_idle_per_host_(max_idle_per_host), idle_ttl_(idle_ttl) {}

pool::~pool() { clear(); }

std::shared_ptr<connection> pool::take(const pool_key& key) {
    std::vector<std::shared_ptr<connection>> expired;
    std::shared_ptr<connection> found;
    {
        const std::lock_guard lock(mutex_);
        const auto it = idle_.find(key);
        if (it == idle_.end()) {
            return nullptr;
        }
        auto& conns = it->second;
        const auto now = clock::now();
        while (!conns.empty()) {
            auto conn = std::move(conns.back());
            conns.pop_back();
            --count_;
            if (now - conn->last_used() > idle_ttl_) {
                // Everything below it is older still.
                expired.push_back(std::move(conn));
                for (auto& older : conns) {
                    expired.push_back(std::move(older));
                }
                count_ -= conns.size();
                conns.clear();
                break;
            }
            if (!conn->idle_and_healthy()) {
                expired.push_back(std::move(conn));
                continue;
            }
            found = std::move(conn);
            break;
        }
        if (conns.empty()) {
            idle_.erase(it);
        }
    }
    close_all(expired);
    return found;
}

void pool::put(std::shared_ptr<connection> conn) {
    std::vector<std::shared_ptr<connection>> evicted;
    if (max_idle_per_host_ == 0) {
        conn->close();
        return;
    }
    {
        const std::lock_guard lock(mutex_);
        auto& conns = idle_[conn->key()];
        if (conns.size() >= max_idle_per_host_) {
            const auto excess = conns.size() - max_idle_per_host_ + 1;
            evicted.assign(std::make_move_iterator(conns.begin()),
                           std::make_move_iterator(conns.begin() + excess));
            conns.erase(conns.begin(), conns.begin() + excess);
            count_ -= excess;
        }
        conns.push_back(std::move(conn));
        ++count_;
    }
    close_all(evicted);
}

void pool::clear() {
    std::map<pool_key, std::vector<std::shared_ptr<connection>>> all;
    {
        const std::lock_guard lock(mutex_);
        all.swap(idle_);
        count_ = 0;
    }
    for (auto& [key, conns] : all) {
        close_all(conns);
    }
}

std::size_t pool::idle() const {
    const std::lock_guard lock(mutex_);
    return count_;
}

}  // namespace hadrian::upstream
