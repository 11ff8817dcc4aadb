#include "hadrian/server/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "hadrian/core/log.hpp"
#include "hadrian/core/send_batching.hpp"
#include "hadrian/server/listener.hpp"
#include "session.hpp"

namespace hadrian::server {

namespace {

using tcp = asio::ip::tcp;

const std::shared_ptr<spdlog::logger>& log() {
    static const auto l = core::logger("server");
    return l;
}

}  // namespace

struct server::impl : std::enable_shared_from_this<impl> {
    impl(asio::io_context& ioc, const config::server_config& cfg, api::app& app,
         api::app_state& state)
        : ioc(ioc), acceptor(ioc), env{cfg, app, state} {}

    awaitable<void> accept_loop();
    void start_session(tcp::socket socket, const tcp::endpoint& peer);
    awaitable<void> run_session(std::shared_ptr<session> s, std::uint64_t id);
    awaitable<void> drain(std::function<void()> on_drained);

    asio::io_context& ioc;
    tcp::acceptor acceptor;
    session_env env;
    std::uint16_t bound_port = 0;

    mutable std::mutex mutex;  // guards sessions; never held across a suspension
    std::unordered_map<std::uint64_t, std::weak_ptr<session>> sessions;
    std::uint64_t next_id = 0;
};

awaitable<void> server::impl::accept_loop() {
    // With one I/O thread everything is serialized already: a strand per connection would
    // only add a queue and a lock to every handler.
    const unsigned threads =
        env.cfg.threads != 0 ? env.cfg.threads : std::max(1U, std::thread::hardware_concurrency());
    // Sends are held to the end of a turn of the event loop from a few requests per thread
    // on: below that, little else is ready in a turn (core/send_batching.hpp).
    constexpr std::int32_t batching_per_thread = 4;
    core::send_batching::set_threshold(batching_per_thread * static_cast<std::int32_t>(threads));
    const auto next_executor = [this, threads] {
        asio::any_io_executor ex = ioc.get_executor();
        if (threads > 1) {
            ex = asio::make_strand(ioc);
        }
        return ex;
    };
    // Connections waiting in the backlog are taken in a batch, without a trip through the
    // event loop each: with thousands of open streams one trip takes milliseconds, and new
    // clients waited seconds in the backlog.
    constexpr int batch = 256;
    error_code ignored;
    acceptor.non_blocking(true, ignored);
    // The peer's address comes with each accept, not from a getpeername() per connection.
    tcp::endpoint peer;
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(next_executor(), peer, use_nothrow);
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) {
            co_return;
        }
        if (ec) {
            // Out of descriptors or a transient error: back off briefly instead of spinning.
            log()->warn("accept failed: {}", ec.message());
            asio::steady_timer pause(ioc, std::chrono::milliseconds(50));
            co_await pause.async_wait(use_nothrow);
            continue;
        }
        start_session(std::move(socket), peer);
        for (int i = 1; i < batch; ++i) {
            error_code more;
            tcp::socket next(next_executor());
            acceptor.accept(next, peer, more);
            if (more) {
                break;  // would block (the backlog is empty) or failed: the async accept reports
            }
            start_session(std::move(next), peer);
        }
    }
}

void server::impl::start_session(tcp::socket socket, const tcp::endpoint& peer) {
    auto s = std::make_shared<session>(std::move(socket), peer, env);
    std::uint64_t id = 0;
    {
        std::lock_guard lock(mutex);
        id = ++next_id;
        sessions.emplace(id, s);
    }
    auto executor = s->get_executor();
    asio::co_spawn(executor, run_session(std::move(s), id), asio::detached);
}

awaitable<void> server::impl::run_session(std::shared_ptr<session> s, std::uint64_t id) {
    try {
        co_await s->run();
    } catch (const std::exception& e) {
        log()->error("connection ended by an unexpected error: {}", e.what());
    }
    std::lock_guard lock(mutex);
    sessions.erase(id);
}

awaitable<void> server::impl::drain(std::function<void()> on_drained) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(env.cfg.shutdown_timeout_secs);
    asio::steady_timer tick(ioc);
    bool forced = false;
    for (;;) {
        std::vector<std::shared_ptr<session>> open;
        {
            std::lock_guard lock(mutex);
            for (auto& [id, weak] : sessions) {
                if (auto s = weak.lock()) {
                    open.push_back(std::move(s));
                }
            }
        }
        if (open.empty()) {
            break;
        }
        const bool late = std::chrono::steady_clock::now() >= deadline;
        for (auto& s : open) {
            if (late) {
                s->force_close();
            } else {
                s->close_if_idle();
            }
        }
        if (late && !forced) {
            log()->warn("drain timeout: closing {} connection(s)", open.size());
            forced = true;
        }
        tick.expires_after(std::chrono::milliseconds(25));
        co_await tick.async_wait(use_nothrow);
    }
    log()->info("drained");
    on_drained();
}

server::server(asio::io_context& ioc, const config::server_config& cfg, api::app& app,
               api::app_state& state)
    : impl_(std::make_shared<impl>(ioc, cfg, app, state)) {}

server::~server() = default;

void server::start() {
    const auto& cfg = impl_->env.cfg;
    const auto address = asio::ip::make_address(cfg.host);
    const tcp::endpoint endpoint(address, cfg.port);
    auto& acceptor = impl_->acceptor;
    open_listener(acceptor, endpoint);
    impl_->bound_port = acceptor.local_endpoint().port();
    log()->info("listening on {}:{}", cfg.host, impl_->bound_port);
    asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
}

std::uint16_t server::port() const noexcept { return impl_->bound_port; }

void server::begin_shutdown(std::function<void()> on_drained) {
    auto self = impl_;
    asio::post(self->ioc, [self, on_drained = std::move(on_drained)]() mutable {
        self->env.state.draining = true;
        error_code ignored;
        self->acceptor.close(ignored);
        log()->info("shutting down: draining connections (up to {}s)",
                    self->env.cfg.shutdown_timeout_secs);
        asio::co_spawn(self->ioc, self->drain(std::move(on_drained)), asio::detached);
    });
}

std::size_t server::connections() const noexcept {
    std::lock_guard lock(impl_->mutex);
    return impl_->sessions.size();
}

}  // namespace hadrian::server
