// Timeouts (first byte, idle, total) and aborts, against servers that stall on purpose.
// Timings are only bounded loosely from above: the machine may be busy.
#include <gtest/gtest.h>

#include <future>
#include <string>

#include "client_harness.hpp"
#include "fake_server.hpp"

namespace hadrian::upstream::testing {
namespace {

constexpr auto well_under = std::chrono::seconds(2);

reply never_answer(const seen_request&, std::size_t) {
    reply r;
    r.stall = true;
    return r;
}

reply header_then_stall(const seen_request&, std::size_t) {
    reply r;
    r.parts = {{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst bytes"}};
    r.stall = true;
    return r;
}

TEST(UpstreamDeadline, FirstByteTimeout) {
    fake_server server(never_answer);
    client_harness h;
    auto req = make_request(server.url("/"));
    req.limits.first_byte = 200ms;
    const auto start = std::chrono::steady_clock::now();
    const auto sent = h.send(std::move(req));
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().ec, core::errc::upstream_timeout);
    EXPECT_EQ(sent.error().message, "timed out waiting for response header");
    EXPECT_GE(elapsed_since(start), 150ms);
    EXPECT_LT(elapsed_since(start), well_under);
    EXPECT_TRUE(server.wait_for([&] { return server.peer_closes() >= 1; }));
}

TEST(UpstreamDeadline, IdleTimeoutMidBody) {
    fake_server server(header_then_stall);
    client_harness h;
    auto req = make_request(server.url("/"));
    req.limits.idle = 200ms;
    auto sent = h.send(std::move(req));
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    auto resp = std::move(*sent);
    const auto first = h.sync(resp->read_some());
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_EQ(*first, "first bytes");

    const auto start = std::chrono::steady_clock::now();
    const auto next = h.sync(resp->read_some());
    ASSERT_FALSE(next.has_value());
    EXPECT_EQ(next.error().ec, core::errc::upstream_timeout);
    EXPECT_EQ(next.error().message, "timed out waiting for response body");
    EXPECT_LT(elapsed_since(start), well_under);
    // The failure sticks.
    const auto after = h.sync(resp->read_some());
    ASSERT_FALSE(after.has_value());
    EXPECT_EQ(after.error().ec, core::errc::upstream_timeout);
    h.drop(std::move(resp));
    EXPECT_EQ(h.get().idle_connections(), 0u);
    EXPECT_TRUE(server.wait_for([&] { return server.peer_closes() >= 1; }));
}

TEST(UpstreamDeadline, TotalDeadlineWhileBodyKeepsFlowing) {
    // A chunk every 50 ms for 5 s: never idle, but over the 300 ms total.
    fake_server server([](const seen_request&, std::size_t) {
        return chunked_reply(std::vector<std::string>(100, "tick\n"), 50ms);
    });
    client_harness h;
    auto req = make_request(server.url("/"));
    req.limits.idle = 1000ms;
    req.limits.total = 300ms;
    const auto start = std::chrono::steady_clock::now();
    auto sent = h.send(std::move(req));
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    const auto body = h.read_all(**sent);
    ASSERT_FALSE(body.has_value());
    EXPECT_EQ(body.error().ec, core::errc::upstream_timeout);
    EXPECT_EQ(body.error().message, "total deadline exceeded");
    EXPECT_GE(elapsed_since(start), 250ms);
    EXPECT_LT(elapsed_since(start), well_under);
    h.drop(std::move(*sent));
}

TEST(UpstreamDeadline, TotalDeadlineBoundsTheHeaderWait) {
    fake_server server(never_answer);
    client_harness h;
    auto req = make_request(server.url("/"));
    req.limits.first_byte = 10'000ms;
    req.limits.total = 200ms;
    const auto start = std::chrono::steady_clock::now();
    const auto sent = h.send(std::move(req));
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().ec, core::errc::upstream_timeout);
    EXPECT_EQ(sent.error().message, "total deadline exceeded");
    EXPECT_LT(elapsed_since(start), well_under);
}

TEST(UpstreamDeadline, ConnectTimeoutCoversTlsHandshake) {
    // A listening socket nobody accepts from: the kernel completes the TCP handshake, the TLS
    // handshake never gets an answer.
    asio::io_context ioc;
    asio::ip::tcp::acceptor silent(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    client_harness h;
    auto req =
        make_request("https://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/");
    req.limits.connect = 200ms;
    const auto start = std::chrono::steady_clock::now();
    const auto sent = h.send(std::move(req));
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().ec, core::errc::upstream_timeout);
    EXPECT_EQ(sent.error().message, "timed out connecting");
    EXPECT_LT(elapsed_since(start), well_under);
}

TEST(UpstreamAbort, AlreadyRaisedFailsAtOnce) {
    fake_server server(never_answer);
    client_harness h;
    core::abort_signal abort;
    h.run([&] { abort.abort(); });
    const auto sent = h.send(make_request(server.url("/")), &abort);
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().ec, asio::error::operation_aborted);
    EXPECT_EQ(server.accepts(), 0u);
}

TEST(UpstreamAbort, DuringHeaderWait) {
    fake_server server(never_answer);
    client_harness h;
    core::abort_signal abort;
    auto req = make_request(server.url("/"));
    req.limits.first_byte = 30'000ms;
    req.limits.total = 30'000ms;
    auto pending = h.start(h.get().send(std::move(req), &abort));
    ASSERT_TRUE(server.wait_for([&] { return server.requests() >= 1; }));

    const auto start = std::chrono::steady_clock::now();
    h.run([&] { abort.abort(); });
    const auto sent = pending.get();
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().ec, asio::error::operation_aborted);
    EXPECT_EQ(sent.error().message, "aborted");
    EXPECT_LT(elapsed_since(start), well_under);
    EXPECT_TRUE(server.wait_for([&] { return server.peer_closes() >= 1; }));
    EXPECT_EQ(h.get().idle_connections(), 0u);
}

/// A response whose first body bytes were read, from a server that then stalls; `abort` is
/// its abort signal. Null (and a test failure) when the exchange failed.
std::unique_ptr<response> stalled_response(client_harness& h, const fake_server& server,
                                           core::abort_signal& abort) {
    auto req = make_request(server.url("/"));
    req.limits.idle = 30'000ms;
    req.limits.total = 30'000ms;
    auto sent = h.send(std::move(req), &abort);
    EXPECT_TRUE(sent.has_value()) << sent.error().message;
    if (!sent) {
        return nullptr;
    }
    EXPECT_EQ(h.sync((*sent)->read_some()).value(), "first bytes");
    return std::move(*sent);
}

TEST(UpstreamAbort, DuringBodyRead) {
    fake_server server(header_then_stall);
    client_harness h;
    core::abort_signal abort;
    auto resp = stalled_response(h, server, abort);
    ASSERT_NE(resp, nullptr);

    // Queued on the strand behind the read, so the read is pending when the abort runs.
    auto pending = h.start(resp->read_some());
    const auto start = std::chrono::steady_clock::now();
    h.run([&] { abort.abort(); });
    const auto next = pending.get();
    ASSERT_FALSE(next.has_value());
    EXPECT_EQ(next.error().ec, asio::error::operation_aborted);
    EXPECT_LT(elapsed_since(start), well_under);
    EXPECT_TRUE(server.wait_for([&] { return server.peer_closes() >= 1; }));
    h.drop(std::move(resp));
    EXPECT_EQ(h.get().idle_connections(), 0u);
}

TEST(UpstreamAbort, DuringBodyWaitInSteps) {
    fake_server server(header_then_stall);
    client_harness h;
    core::abort_signal abort;
    auto resp = stalled_response(h, server, abort);
    ASSERT_NE(resp, nullptr);

    auto step = [](response& r) -> awaitable<result<std::string_view, failure>> {
        const error_code ec = co_await r.wait_body();
        co_return r.take_body(ec);
    };
    auto pending = h.start(step(*resp));
    h.run([&] { abort.abort(); });
    const auto next = pending.get();
    ASSERT_FALSE(next.has_value());
    EXPECT_EQ(next.error().ec, asio::error::operation_aborted);
    // The failure stays: nothing more to wait for, and read_some gives it again.
    bool still_pending = true;
    h.run([&] { still_pending = resp->body_pending(); });
    EXPECT_FALSE(still_pending);
    const auto after = h.sync(resp->read_some());
    ASSERT_FALSE(after.has_value());
    EXPECT_EQ(after.error().ec, asio::error::operation_aborted);
    h.drop(std::move(resp));
    EXPECT_EQ(h.get().idle_connections(), 0u);
}

TEST(UpstreamAbort, ResponseAbortAndHookClearedOnDestruction) {
    fake_server server(header_then_stall);
    client_harness h;
    core::abort_signal abort;
    auto sent = h.send(make_request(server.url("/")), &abort);
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    auto resp = std::move(*sent);
    h.run([&] { resp->abort(); });
    const auto next = h.sync(resp->read_some());
    ASSERT_FALSE(next.has_value());
    EXPECT_EQ(next.error().ec, asio::error::operation_aborted);
    EXPECT_TRUE(server.wait_for([&] { return server.peer_closes() >= 1; }));
    h.drop(std::move(resp));
    // The response is gone: raising the signal now must not touch it (ASan would tell).
    h.run([&] { abort.abort(); });
}

}  // namespace
}  // namespace hadrian::upstream::testing
