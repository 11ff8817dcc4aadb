// upstream::client over plain HTTP against a real in-test server: request shape, the three body
// framings, incremental reads, body limits and connection failures.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <string>
#include <vector>

#include "client_harness.hpp"
#include "fake_server.hpp"

namespace hadrian::upstream::testing {
namespace {

/// Sends `req`, reads the answer to its end, and returns what the server saw (empty when the
/// exchange failed, which the test's size check then reports).
std::vector<seen_request> seen_after(client_harness& h, fake_server& server, request req) {
    auto sent = h.send(std::move(req));
    EXPECT_TRUE(sent.has_value()) << (sent ? "" : sent.error().message);
    if (!sent) {
        return {};
    }
    EXPECT_TRUE(h.read_all(**sent).has_value());
    h.drop(std::move(*sent));
    return server.seen();
}

TEST(UpstreamHttp, ReadAllNowTakesAnAnswerThatCameWithItsHeader) {
    fake_server server([](const seen_request&, std::size_t) { return content_reply("hello"); });
    client_harness h;
    auto sent = h.send(make_request(server.url("/"), http::verb::get));
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    auto now = (*sent)->read_all_now();
    ASSERT_TRUE(now.has_value()) << "the body came in one write with the header";
    ASSERT_TRUE(now->has_value()) << now->error().message;
    EXPECT_EQ(**now, "hello");
    h.drop(std::move(*sent));
}

TEST(UpstreamHttp, ReadAllGoesOnFromWhatReadAllNowTook) {
    fake_server server([](const seen_request&, std::size_t) {
        reply r;
        r.parts.push_back({"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello", 0ms});
        r.parts.push_back({" world", 100ms});
        return r;
    });
    client_harness h;
    auto sent = h.send(make_request(server.url("/"), http::verb::get));
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    EXPECT_FALSE((*sent)->read_all_now().has_value()) << "the rest of the body is 100 ms away";
    const auto body = h.read_all(**sent);
    ASSERT_TRUE(body.has_value()) << body.error().message;
    EXPECT_EQ(*body, "hello world");
    h.drop(std::move(*sent));
}

TEST(UpstreamHttp, AHeadSplitOverWritesIsReadWholeAndTheConnectionServesTheNext) {
    // The head arrives in three pieces, the body with the last: each read before the head is
    // whole is kept, and the head is parsed once it is all there. The second answer comes in
    // one write on the same connection.
    fake_server server([](const seen_request&, std::size_t index) {
        if (index > 0) {
            return content_reply("second");
        }
        reply r;
        r.parts.push_back({"HTTP/1.1 200 OK\r\nContent-", 0ms});
        r.parts.push_back({"Length: 5\r\nX-Split: yes\r", 50ms});
        r.parts.push_back({"\n\r\nfirst", 50ms});
        return r;
    });
    client_harness h;
    for (const std::string_view want : {"first", "second"}) {
        auto sent = h.send(make_request(server.url("/"), http::verb::get));
        ASSERT_TRUE(sent.has_value()) << sent.error().message;
        const auto body = h.read_all(**sent);
        ASSERT_TRUE(body.has_value()) << body.error().message;
        EXPECT_EQ(*body, want);
        h.drop(std::move(*sent));
    }
    EXPECT_EQ(server.accepts(), 1u);
    EXPECT_EQ(server.requests(), 2u);
}

TEST(UpstreamHttp, ContentLengthBodyAndRequestShape) {
    fake_server server([](const seen_request&, std::size_t) {
        return content_reply("{\"ok\":true}", 201, "Content-Type: application/json\r\n");
    });
    client_harness h;
    auto req = make_request(server.url("/v1/chat?x=1"), http::verb::post, "{\"a\":1}");
    req.headers = {{"Authorization", "Bearer k"}, {"Content-Length", "999"}};

    auto sent = h.send(std::move(req));
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    auto resp = std::move(*sent);
    EXPECT_EQ(resp->status(), 201);
    EXPECT_EQ(resp->headers()[http::field::content_type], "application/json");
    const auto body = h.read_all(*resp);
    ASSERT_TRUE(body.has_value()) << body.error().message;
    EXPECT_EQ(*body, "{\"ok\":true}");
    // After the end, read_some keeps answering "complete".
    const auto again = h.sync(resp->read_some());
    ASSERT_TRUE(again.has_value());
    EXPECT_TRUE(again->empty());
    h.drop(std::move(resp));

    const auto seen = server.seen();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "POST");
    EXPECT_EQ(seen[0].target, "/v1/chat?x=1");
    EXPECT_EQ(seen[0].headers.at("host"), "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(seen[0].headers.at("user-agent"), std::string("hadrian/") + HADRIAN_VERSION);
    EXPECT_EQ(seen[0].headers.at("authorization"), "Bearer k");
    EXPECT_EQ(seen[0].headers.at("content-length"), "7");
    EXPECT_EQ(seen[0].body, "{\"a\":1}");
}

TEST(UpstreamHttp, ASplicedBodyGoesOutWholeWithItsOwnLength) {
    fake_server server([](const seen_request&, std::size_t) { return content_reply("{}"); });
    client_harness h;
    // The client's text stays where it is; only the model's bytes are replaced on the wire.
    const std::string client_text = R"({"model":"alias","messages":[{"role":"user","content":")" +
                                    std::string(100000, 'x') + R"("}]})";
    auto req = make_request(server.url("/v1/chat/completions"), http::verb::post);
    req.spliced = spliced_body{client_text, 9, 7, R"("gpt-4o-mini")"};
    const auto seen = seen_after(h, server, std::move(req));
    ASSERT_EQ(seen.size(), 1u);
    const std::string expected = R"({"model":"gpt-4o-mini")" + client_text.substr(16);
    EXPECT_EQ(seen[0].headers.at("content-length"), std::to_string(expected.size()));
    EXPECT_EQ(seen[0].body, expected);
}

TEST(UpstreamHttp, APreparedHeadServesRequestsAlikeEachWithItsLength) {
    fake_server server([](const seen_request&, std::size_t) { return content_reply("{}"); });
    client_harness h;
    auto shape = make_request(server.url("/v1/embeddings"), http::verb::post);
    shape.headers = {{"Authorization", "Bearer k"}, {"Content-Length", "5"}};
    const auto head = std::make_shared<const prepared_head>(prepare_head(shape));
    // The head's own length field is left out: each request adds its body's.
    EXPECT_EQ(head->text.find("Content-Length"), std::string::npos);
    for (const std::string body : {"{\"a\":1}", "{\"input\":\"longer\"}"}) {
        // Where the request goes and its fields come from the prepared head only.
        request req;
        req.prepared = head;
        req.body = body;
        const auto seen = seen_after(h, server, std::move(req));
        ASSERT_FALSE(seen.empty());
        EXPECT_EQ(seen.back().method, "POST");
        EXPECT_EQ(seen.back().target, "/v1/embeddings");
        EXPECT_EQ(seen.back().headers.at("authorization"), "Bearer k");
        EXPECT_EQ(seen.back().headers.at("host"), "127.0.0.1:" + std::to_string(server.port()));
        EXPECT_EQ(seen.back().headers.at("content-length"), std::to_string(body.size()));
        EXPECT_EQ(seen.back().body, body);
    }
    EXPECT_EQ(server.seen().size(), 2u);
}

TEST(UpstreamHttp, CallerUserAgentAndHostAreKept) {
    fake_server server([](const seen_request&, std::size_t) { return content_reply("x"); });
    client_harness h;
    auto req = make_request(server.url("/"), http::verb::get);
    req.headers = {{"User-Agent", "custom/1"}, {"Host", "virtual.example"}};
    const auto seen = seen_after(h, server, std::move(req));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "GET");
    EXPECT_EQ(seen[0].headers.at("user-agent"), "custom/1");
    EXPECT_EQ(seen[0].headers.at("host"), "virtual.example");
}

TEST(UpstreamHttp, FieldsWithLineBreaksAreLeftOut) {
    fake_server server([](const seen_request&, std::size_t) { return content_reply("x"); });
    client_harness h;
    auto req = make_request(server.url("/"), http::verb::get);
    req.headers = {{"X-Ok", "1"}, {"X-Split", "a\r\nX-Injected: 1"}, {"X-Bad\nName", "v"}};
    const auto seen = seen_after(h, server, std::move(req));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].headers.at("x-ok"), "1");
    EXPECT_EQ(seen[0].headers.count("x-split"), 0u);
    EXPECT_EQ(seen[0].headers.count("x-injected"), 0u);
    // A GET without a body says no length.
    EXPECT_EQ(seen[0].headers.count("content-length"), 0u);
    // Host and User-Agent of our own when the caller gives none.
    EXPECT_EQ(seen[0].headers.at("host"), "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(seen[0].headers.at("user-agent").rfind("hadrian/", 0), 0u);
}

TEST(UpstreamHttp, ChunkedBodyArrivesIncrementally) {
    std::vector<std::string> chunks;
    std::string expected;
    for (int i = 0; i < 10; ++i) {
        chunks.push_back("data: piece " + std::to_string(i) + "\n\n");
        expected += chunks.back();
    }
    fake_server server([&chunks](const seen_request&, std::size_t) {
        auto r = chunked_reply(chunks, 50ms);
        // Split one chunk's framing across writes too.
        r.parts.insert(r.parts.end() - 1, {{"3\r\nab", 20ms}, {"c\r\n", 20ms}});
        return r;
    });
    const std::size_t total_parts = 1 + chunks.size() + 2 + 1;
    expected += "abc";

    client_harness h;
    auto sent = h.send(make_request(server.url("/stream")));
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    auto resp = std::move(*sent);
    EXPECT_EQ(resp->status(), 200);

    std::string body;
    std::size_t pieces = 0;
    std::size_t parts_at_first_piece = 0;
    for (;;) {
        const auto piece = h.sync(resp->read_some());
        ASSERT_TRUE(piece.has_value()) << piece.error().message;
        if (piece->empty()) {
            break;
        }
        if (pieces++ == 0) {
            parts_at_first_piece = server.parts_sent();
        }
        body.append(*piece);
    }
    EXPECT_EQ(body, expected);
    EXPECT_GE(pieces, 5u);
    EXPECT_LT(parts_at_first_piece, total_parts);  // the first piece came before the end
    h.drop(std::move(resp));
    EXPECT_EQ(h.get().idle_connections(), 1u);
}

/// Reads the body to the end in steps (body_pending, wait_body, take_body), counting pieces.
awaitable<result<std::string, failure>> read_in_steps(response& r, std::size_t& pieces) {
    std::string body;
    while (r.body_pending()) {
        const error_code ec = co_await r.wait_body();
        auto piece = r.take_body(ec);
        if (!piece) {
            co_return piece.error();
        }
        if (piece->empty()) {
            break;
        }
        ++pieces;
        body.append(*piece);
    }
    co_return body;
}

TEST(UpstreamHttp, ChunkedBodyReadInStepsGivesEveryByteOnce) {
    std::vector<std::string> chunks{"data: one\n\n", "data: two\n\n"};
    fake_server server([&chunks](const seen_request&, std::size_t) {
        auto r = chunked_reply(chunks, 20ms);
        // A chunk's header alone, then its data: the step waits on until body bytes come.
        r.parts.insert(r.parts.end() - 1, {{"5\r\n", 20ms}, {"three\r\n", 20ms}});
        return r;
    });
    client_harness h;
    auto sent = h.send(make_request(server.url("/stream")));
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    auto resp = std::move(*sent);

    std::size_t pieces = 0;
    const auto body = h.sync(read_in_steps(*resp, pieces));
    ASSERT_TRUE(body.has_value()) << body.error().message;
    EXPECT_EQ(*body, "data: one\n\ndata: two\n\nthree");
    EXPECT_EQ(pieces, 3u);  // no empty piece before the end
    bool pending = true;
    h.run([&] { pending = resp->body_pending(); });
    EXPECT_FALSE(pending);
    const auto again = h.sync(resp->read_some());
    ASSERT_TRUE(again.has_value());
    EXPECT_TRUE(again->empty());
    h.drop(std::move(resp));
    EXPECT_EQ(h.get().idle_connections(), 1u);
}

TEST(UpstreamHttp, CloseDelimitedBodyIsReadToEofAndNotPooled) {
    fake_server server([](const seen_request&, std::size_t) {
        reply r;
        r.parts = {{"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nfirst "}, {"second", 30ms}};
        r.close_after = true;
        return r;
    });
    client_harness h;
    auto sent = h.send(make_request(server.url("/")));
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    const auto body = h.read_all(**sent);
    ASSERT_TRUE(body.has_value()) << body.error().message;
    EXPECT_EQ(*body, "first second");
    h.drop(std::move(*sent));
    EXPECT_EQ(h.get().idle_connections(), 0u);
}

TEST(UpstreamHttp, NoContentResponseEndsAtOnce) {
    fake_server server([](const seen_request&, std::size_t) {
        return reply{{{"HTTP/1.1 204 No Content\r\n\r\n"}}};
    });
    client_harness h;
    auto sent = h.send(make_request(server.url("/")));
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    EXPECT_EQ((*sent)->status(), 204);
    // Not even read: the body is already complete, so the connection is reusable.
    h.drop(std::move(*sent));
    EXPECT_EQ(h.get().idle_connections(), 1u);
}

TEST(UpstreamHttp, HeadResponseHasNoBody) {
    fake_server server([](const seen_request&, std::size_t) {
        return reply{{{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"}}};
    });
    client_harness h;
    auto sent = h.send(make_request(server.url("/"), http::verb::head));
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    EXPECT_EQ(h.read_all(**sent).value(), "");
    h.drop(std::move(*sent));
    EXPECT_EQ(h.get().idle_connections(), 1u);
    EXPECT_EQ(server.seen().at(0).method, "HEAD");
}

TEST(UpstreamHttp, ReadAllEnforcesMaxBodyBytes) {
    fake_server server(
        [](const seen_request&, std::size_t) { return content_reply(std::string(4096, 'x')); });
    client_options options;
    options.max_body_bytes = 1000;
    client_harness h(options);
    auto sent = h.send(make_request(server.url("/")));
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    const auto body = h.read_all(**sent);
    ASSERT_FALSE(body.has_value());
    EXPECT_EQ(body.error().ec, core::errc::provider_error);
    EXPECT_EQ(body.error().message, "response body exceeds 1000 bytes");
    h.drop(std::move(*sent));
    EXPECT_EQ(h.get().idle_connections(), 0u);
}

TEST(UpstreamHttp, MalformedResponseIsProviderError) {
    fake_server server([](const seen_request&, std::size_t) {
        return reply{{{"SPDY/9 nonsense\r\n\r\n"}}, false, true};
    });
    client_harness h;
    const auto sent = h.send(make_request(server.url("/")));
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().ec, core::errc::provider_error);
    EXPECT_NE(sent.error().message.find("malformed response"), std::string::npos)
        << sent.error().message;
}

TEST(UpstreamHttp, ConnectionRefusedIsProviderError) {
    std::uint16_t port = 0;
    {
        asio::io_context ioc;
        asio::ip::tcp::acceptor probe(ioc, {asio::ip::make_address("127.0.0.1"), 0});
        port = probe.local_endpoint().port();
    }
    client_harness h;
    const auto sent = h.send(make_request("http://127.0.0.1:" + std::to_string(port) + "/"));
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().ec, core::errc::provider_error);
    EXPECT_EQ(sent.error().message, "connect failed: connection refused");
}

TEST(UpstreamHttp, ResolvesLocalhost) {
    fake_server server([](const seen_request&, std::size_t) { return content_reply("hi"); });
    client_harness h;
    // localhost may resolve to ::1 first; the client tries each address in turn.
    auto sent = h.send(make_request(server.url("/", "localhost")));
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    EXPECT_EQ(h.read_all(**sent).value(), "hi");
    h.drop(std::move(*sent));
    EXPECT_EQ(server.seen().at(0).headers.at("host"), "localhost:" + std::to_string(server.port()));
}

TEST(UpstreamHttp, FreshConnectionClosedBeforeResponseIsNotRetried) {
    fake_server server([](const seen_request&, std::size_t) {
        reply r;
        r.close_after = true;
        return r;
    });
    client_harness h;
    const auto sent = h.send(make_request(server.url("/")));
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().ec, core::errc::provider_error);
    EXPECT_EQ(sent.error().message,
              "reading response header failed: connection closed by upstream");
    EXPECT_EQ(server.accepts(), 1u);
}

}  // namespace
}  // namespace hadrian::upstream::testing
