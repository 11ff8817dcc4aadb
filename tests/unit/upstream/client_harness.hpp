// Drives an upstream::client from a test body: the client's io_context runs on a background
// thread and every coroutine runs on one strand, as in the gateway; the test thread waits on
// futures, so plain ASSERT_* work.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "hadrian/upstream/client.hpp"

namespace hadrian::upstream::testing {

using send_result = result<std::unique_ptr<response>, failure>;

/// Thread safety: call from the test thread only.
class client_harness {
public:
    explicit client_harness(client_options options = {})
        : work_(asio::make_work_guard(ioc_)),
          strand_(asio::make_strand(ioc_)),
          client_(std::make_unique<client>(ioc_, std::move(options))),
          thread_([this] { ioc_.run(); }) {}

    ~client_harness() {
        run([this] { client_.reset(); });
        work_.reset();
        thread_.join();
    }

    client& get() { return *client_; }
    const asio::strand<asio::io_context::executor_type>& strand() const { return strand_; }

    /// Starts a coroutine on the strand.
    template <class T>
    std::future<T> start(awaitable<T> op) {
        return asio::co_spawn(strand_, std::move(op), asio::use_future);
    }
    /// Runs a coroutine on the strand and waits for its result.
    template <class T>
    T sync(awaitable<T> op) {
        return start(std::move(op)).get();
    }
    /// Runs `fn` on the strand and waits.
    void run(const std::function<void()>& fn) {
        std::promise<void> done;
        asio::post(strand_, [&] {
            fn();
            done.set_value();
        });
        done.get_future().wait();
    }

    send_result send(request req, core::abort_signal* abort = nullptr) {
        return sync(client_->send(std::move(req), abort));
    }
    /// Destroys a response on the strand (returning its connection to the pool or closing it).
    void drop(std::unique_ptr<response> r) {
        run([&] { r.reset(); });
    }
    /// Reads the body to the end with read_some.
    result<std::string, failure> read_all(response& r) { return sync(r.read_all()); }

private:
    asio::io_context ioc_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    asio::strand<asio::io_context::executor_type> strand_;
    std::unique_ptr<client> client_;
    std::thread thread_;
};

/// A request for the URL `text` with short timeouts so failures end quickly.
inline request make_request(const std::string& text, http::verb method = http::verb::post,
                            std::string body = {}) {
    request req;
    req.method = method;
    req.target = url::parse(text).value();
    req.body = std::move(body);
    req.limits.connect = std::chrono::milliseconds(2000);
    req.limits.first_byte = std::chrono::milliseconds(2000);
    req.limits.idle = std::chrono::milliseconds(2000);
    req.limits.total = std::chrono::milliseconds(5000);
    return req;
}

inline auto elapsed_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::steady_clock::now() - start;
}

}  // namespace hadrian::upstream::testing
