// DNS with a deadline: the coroutine sleeps on a timer that the resolver's handler cancels
// when the answer arrives; whichever comes first wins, both on the same strand.
#include "upstream/dns_lookup.hpp"

#include <boost/beast/core/error.hpp>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace hadrian::upstream {

namespace {

using results_type = asio::ip::tcp::resolver::results_type;

/// Answers are kept this long: every new connection to a provider would otherwise queue a
/// getaddrinfo call on Asio's single resolver thread (thousands of streams opening at once
/// waited seconds for it).
constexpr std::chrono::seconds cache_ttl{30};
constexpr std::size_t cache_limit = 256;

struct cached {
    std::chrono::steady_clock::time_point expires;
    results_type results;
};

std::mutex cache_mutex;
std::unordered_map<std::string, cached>& cache() {
    static std::unordered_map<std::string, cached> c;
    return c;
}

std::string cache_key(const std::string& host, std::uint16_t port) {
    return host + ":" + std::to_string(port);
}

std::optional<results_type> from_cache(const std::string& key) {
    std::lock_guard lock(cache_mutex);
    auto it = cache().find(key);
    if (it == cache().end() || it->second.expires <= std::chrono::steady_clock::now()) {
        return std::nullopt;
    }
    return it->second.results;
}

void remember(const std::string& key, const results_type& results) {
    std::lock_guard lock(cache_mutex);
    if (cache().size() >= cache_limit) {
        cache().clear();
    }
    cache()[key] = cached{std::chrono::steady_clock::now() + cache_ttl, results};
}

}  // namespace

dns_lookup::dns_lookup(const asio::any_io_executor& strand) : resolver_(strand), wake_(strand) {}

awaitable<result<asio::ip::tcp::resolver::results_type>> dns_lookup::resolve(
    std::string host, std::uint16_t port, std::chrono::steady_clock::time_point deadline) {
    // An address needs no lookup.
    error_code literal;
    const auto address = asio::ip::make_address(host, literal);
    if (!literal) {
        co_return results_type::create(asio::ip::tcp::endpoint(address, port), host,
                                       std::to_string(port));
    }
    const std::string key = cache_key(host, port);
    if (auto hit = from_cache(key)) {
        co_return *hit;
    }
    wake_.expires_at(deadline);
    resolver_.async_resolve(
        host, std::to_string(port), asio::ip::tcp::resolver::numeric_service,
        [self = shared_from_this()](const error_code& ec,
                                    asio::ip::tcp::resolver::results_type results) {
            if (self->done_) {
                return;
            }
            self->done_ = true;
            self->ec_ = ec;
            self->results_ = std::move(results);
            self->wake_.cancel();
        });
    co_await wake_.async_wait(use_nothrow);  // woken by the answer, cancel() or the deadline
    if (done_) {
        if (ec_) {
            co_return ec_;
        }
        remember(key, results_);
        co_return results_;
    }
    done_ = true;
    resolver_.cancel();
    if (cancelled_) {
        co_return error_code{asio::error::operation_aborted};
    }
    co_return error_code{beast::error::timeout};
}

void dns_lookup::cancel() {
    cancelled_ = true;
    wake_.cancel();
}

}  // namespace hadrian::upstream
