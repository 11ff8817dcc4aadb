// The keep-alive pool: reuse, bounds, TTL, and a pooled connection the server closed.
#include <gtest/gtest.h>

#include <future>
#include <string>

#include "client_harness.hpp"
#include "fake_server.hpp"

namespace hadrian::upstream::testing {
namespace {

std::string fetch(client_harness& h, const std::string& url) {
    auto sent = h.send(make_request(url));
    if (!sent) {
        return "send failed: " + sent.error().message;
    }
    auto body = h.read_all(**sent);
    h.drop(std::move(*sent));
    return body ? *body : "read failed: " + body.error().message;
}

TEST(UpstreamPool, SequentialRequestsReuseOneConnection) {
    fake_server server([](const seen_request&, std::size_t i) {
        return content_reply("reply " + std::to_string(i));
    });
    client_harness h;
    EXPECT_EQ(fetch(h, server.url("/a")), "reply 0");
    EXPECT_EQ(h.get().idle_connections(), 1u);
    EXPECT_EQ(fetch(h, server.url("/b")), "reply 1");
    EXPECT_EQ(fetch(h, server.url("/c")), "reply 2");
    EXPECT_EQ(server.accepts(), 1u);
    EXPECT_EQ(h.get().idle_connections(), 1u);
}

TEST(UpstreamPool, ConnectionCloseResponseIsNotPooled) {
    fake_server server([](const seen_request&, std::size_t) {
        return content_reply("bye", 200, "Connection: close\r\n");
    });
    client_harness h;
    EXPECT_EQ(fetch(h, server.url("/")), "bye");
    EXPECT_EQ(h.get().idle_connections(), 0u);
    EXPECT_EQ(fetch(h, server.url("/")), "bye");
    EXPECT_EQ(server.accepts(), 2u);
}

TEST(UpstreamPool, PartlyReadBodyClosesTheConnection) {
    fake_server server(
        [](const seen_request&, std::size_t) { return content_reply(std::string(100, 'x')); });
    client_harness h;
    auto sent = h.send(make_request(server.url("/")));
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    h.drop(std::move(*sent));  // body never read
    EXPECT_EQ(h.get().idle_connections(), 0u);
    EXPECT_TRUE(server.wait_for([&] { return server.peer_closes() >= 1; }));
}

TEST(UpstreamPool, BoundedPerHost) {
    fake_server server([](const seen_request&, std::size_t) { return content_reply("ok"); });
    client_options options;
    options.max_idle_per_host = 1;
    client_harness h(options);
    // Two exchanges in flight at once need two connections; only one may stay idle.
    auto first = h.send(make_request(server.url("/1")));
    auto second = h.send(make_request(server.url("/2")));
    ASSERT_TRUE(first.has_value()) << first.error().message;
    ASSERT_TRUE(second.has_value()) << second.error().message;
    EXPECT_EQ(h.read_all(**first).value(), "ok");
    EXPECT_EQ(h.read_all(**second).value(), "ok");
    h.drop(std::move(*first));
    EXPECT_EQ(h.get().idle_connections(), 1u);
    h.drop(std::move(*second));
    EXPECT_EQ(h.get().idle_connections(), 1u);
    EXPECT_EQ(server.accepts(), 2u);
    EXPECT_TRUE(server.wait_for([&] { return server.peer_closes() >= 1; }));
}

TEST(UpstreamPool, ABurstKeepsItsConnectionsForTheNext) {
    // A burst above a small idle bound would close what it opened and reopen it next time.
    fake_server server([](const seen_request&, std::size_t) { return content_reply("ok"); });
    client_harness h;
    constexpr std::size_t burst = 300;
    for (int round = 0; round < 2; ++round) {
        std::vector<std::unique_ptr<response>> open;
        for (std::size_t i = 0; i < burst; ++i) {
            auto sent = h.send(make_request(server.url("/")));
            ASSERT_TRUE(sent.has_value()) << sent.error().message;
            EXPECT_EQ(h.read_all(**sent).value(), "ok");
            open.push_back(std::move(*sent));
        }
        for (auto& r : open) {
            h.drop(std::move(r));
        }
        EXPECT_EQ(h.get().idle_connections(), burst);
    }
    EXPECT_EQ(server.accepts(), burst);
}

TEST(UpstreamPool, ZeroTtlDropsIdleConnections) {
    fake_server server([](const seen_request&, std::size_t) { return content_reply("ok"); });
    client_options options;
    options.idle_ttl = std::chrono::seconds(0);
    client_harness h(options);
    EXPECT_EQ(fetch(h, server.url("/")), "ok");
    std::this_thread::sleep_for(5ms);  // older than a zero TTL, whatever the clock's grain
    EXPECT_EQ(fetch(h, server.url("/")), "ok");
    EXPECT_EQ(server.accepts(), 2u);
}

TEST(UpstreamPool, KeyedBySchemeHostAndPort) {
    fake_server one([](const seen_request&, std::size_t) { return content_reply("one"); });
    fake_server two([](const seen_request&, std::size_t) { return content_reply("two"); });
    client_harness h;
    EXPECT_EQ(fetch(h, one.url("/")), "one");
    EXPECT_EQ(fetch(h, two.url("/")), "two");
    EXPECT_EQ(h.get().idle_connections(), 2u);
    EXPECT_EQ(fetch(h, one.url("/")), "one");
    EXPECT_EQ(fetch(h, two.url("/")), "two");
    EXPECT_EQ(one.accepts(), 1u);
    EXPECT_EQ(two.accepts(), 1u);
}

TEST(UpstreamPool, ServerClosedPooledConnectionIsReplacedTransparently) {
    // Keep-alive reply, then the server hangs up the idle connection.
    fake_server server([](const seen_request&, std::size_t i) {
        auto r = content_reply("reply " + std::to_string(i));
        r.close_after = true;
        return r;
    });
    client_harness h;
    EXPECT_EQ(fetch(h, server.url("/")), "reply 0");
    EXPECT_EQ(h.get().idle_connections(), 1u);
    ASSERT_TRUE(server.wait_for([&] { return server.server_closes() >= 1; }));
    EXPECT_EQ(fetch(h, server.url("/")), "reply 1");
    EXPECT_EQ(server.accepts(), 2u);
    EXPECT_EQ(server.requests(), 2u);
}

TEST(UpstreamPool, ReusedConnectionFailingBeforeResponseIsRetriedOnce) {
    // Request 1 arrives on the pooled connection and the server hangs up without a byte: the
    // client sends it again (request 2) on a new connection.
    fake_server server([](const seen_request&, std::size_t i) {
        if (i == 1) {
            reply r;
            r.close_after = true;
            return r;
        }
        return content_reply("reply " + std::to_string(i));
    });
    client_harness h;
    EXPECT_EQ(fetch(h, server.url("/")), "reply 0");
    EXPECT_EQ(fetch(h, server.url("/")), "reply 2");
    EXPECT_EQ(server.accepts(), 2u);
    EXPECT_EQ(server.requests(), 3u);
}

TEST(UpstreamPool, RetryHappensAtMostOnce) {
    fake_server server([](const seen_request&, std::size_t i) {
        if (i == 0) {
            return content_reply("first");
        }
        reply r;
        r.close_after = true;
        return r;
    });
    client_harness h;
    EXPECT_EQ(fetch(h, server.url("/")), "first");
    const auto sent = h.send(make_request(server.url("/")));
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().ec, core::errc::provider_error);
    EXPECT_EQ(server.accepts(), 2u);
    EXPECT_EQ(server.requests(), 3u);
}

}  // namespace
}  // namespace hadrian::upstream::testing
