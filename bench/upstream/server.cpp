#include "server.hpp"

#include <sys/socket.h>

#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include "../common/http1.hpp"
#include "../common/read_buffer.hpp"
#include "payloads.hpp"

namespace bench::upstream {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;

namespace {

unsigned to_uint(std::string_view s, unsigned fallback) {
    if (s.empty() || s.size() > 9) {
        return fallback;
    }
    unsigned v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') {
            return fallback;
        }
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    return v;
}

std::string_view query_param(std::string_view target, std::string_view name) {
    const auto q = target.find('?');
    if (q == std::string_view::npos) {
        return {};
    }
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
            return pair.substr(eq + 1);
        }
        if (amp == std::string_view::npos) {
            break;
        }
        query.remove_prefix(amp + 1);
    }
    return {};
}

unsigned setting(const http1::head& h, std::string_view header, std::string_view param,
                 unsigned fallback) {
    if (auto v = h.field(header); !v.empty()) {
        return to_uint(v, fallback);
    }
    if (auto v = query_param(h.target, param); !v.empty()) {
        return to_uint(v, fallback);
    }
    return fallback;
}

pacing pacing_of(const http1::head& h, const pacing& defaults) {
    pacing p;
    p.chunks = std::max(1u, setting(h, "x-bench-chunks", "chunks", defaults.chunks));
    p.chunk_gap_ms = setting(h, "x-bench-chunk-gap-ms", "chunk_gap_ms", defaults.chunk_gap_ms);
    p.first_byte_ms = setting(h, "x-bench-first-byte-ms", "first_byte_ms", defaults.first_byte_ms);
    return p;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

std::string response_head(int status, std::string_view content_type, std::size_t length,
                          bool keep_alive) {
    std::string s = "HTTP/1.1 ";
    s += status == 200 ? "200 OK" : status == 404 ? "404 Not Found" : "400 Bad Request";
    s += "\r\nContent-Type: ";
    s += content_type;
    s += "\r\nContent-Length: " + std::to_string(length);
    s += "\r\nx-request-id: req_bench\r\n";
    if (!keep_alive) {
        s += "Connection: close\r\n";
    }
    s += "\r\n";
    return s;
}

/// `data` framed as one chunk of chunked transfer coding, appended to `out`.
void append_chunk(std::string& out, std::string_view data) {
    char size[20];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    out.append(size, static_cast<std::size_t>(n));
    out += data;
    out += "\r\n";
}

class session {
public:
    session(tcp::socket sock, const options& opt, counters& count)
        : sock_(std::move(sock)), timer_(sock_.get_executor()), opt_(opt), count_(count) {}

    asio::any_io_executor executor() { return sock_.get_executor(); }

    awaitable<void> run() {
        try {
            for (;;) {
                if (!co_await read_request()) {
                    co_return;
                }
                count_.requests.fetch_add(1, std::memory_order_relaxed);
                co_await respond();
                if (!head_.keep_alive) {
                    co_return;
                }
                buf_.shrink();
                if (body_.capacity() > 64 * 1024) {
                    std::string().swap(body_);
                }
            }
        } catch (const std::exception&) {
            // the peer went away
        }
    }

private:
    awaitable<bool> read_more() {
        const std::size_t room = buf_.prepare(4096);
        auto [ec, n] = co_await sock_.async_read_some(asio::buffer(buf_.write_ptr(), room),
                                                      asio::as_tuple(use_awaitable));
        if (ec) {
            co_return false;
        }
        buf_.commit(n);
        co_return true;
    }

    awaitable<bool> read_request() {
        std::size_t used = 0;
        for (;;) {
            const auto st = http1::parse_head(buf_.view(), true, head_, used);
            if (st == http1::parse_status::bad) {
                co_return false;
            }
            if (st == http1::parse_status::done) {
                break;
            }
            if (!co_await read_more()) {
                co_return false;
            }
        }
        buf_.consume(used);
        body_.clear();
        http1::body_reader reader;
        reader.reset(head_, true);
        for (;;) {
            const auto n = reader.feed(buf_.view(), [&](std::string_view d) { body_.append(d); });
            if (!n) {
                co_return false;
            }
            buf_.consume(*n);
            if (reader.done()) {
                co_return true;
            }
            if (!co_await read_more()) {
                co_return false;
            }
        }
    }

    awaitable<void> pause(unsigned ms) {
        if (ms > 0) {
            timer_.expires_after(std::chrono::milliseconds(ms));
            co_await timer_.async_wait(use_awaitable);
        }
    }

    awaitable<void> pause_until(std::chrono::steady_clock::time_point at) {
        timer_.expires_at(at);
        co_await timer_.async_wait(use_awaitable);
    }

    awaitable<void> send(std::string_view data) {
        co_await asio::async_write(sock_, asio::buffer(data), use_awaitable);
    }

    awaitable<void> send_whole(int status, std::string_view type, const std::string& body) {
        std::string out = response_head(status, type, body.size(), head_.keep_alive);
        out += body;
        co_await send(out);
    }

    awaitable<void> respond() {
        const auto path = path_of(head_.target);
        const pacing p = pacing_of(head_, opt_.defaults);
        const bool chat = path.ends_with("/chat/completions");
        const bool messages = path.ends_with("/messages");
        if (head_.method == "POST" && (chat || messages)) {
            if (wants_stream(body_)) {
                co_await stream(p, chat);
                co_return;
            }
            co_await pause(p.first_byte_ms);
            if (chat) {
                co_await send_whole(200, "application/json",
                                    chat_completion(model_of(body_, "gpt-4o-mini")));
            } else {
                co_await send_whole(200, "application/json",
                                    anthropic_message(model_of(body_, "claude-3-5-haiku")));
            }
        } else if (head_.method == "GET" && path.ends_with("/models")) {
            co_await send_whole(200, "application/json", models_list());
        } else {
            co_await send_whole(404, "application/json",
                                R"({"error":{"message":"no such route in the bench upstream",)"
                                R"("type":"invalid_request_error","code":"not_found"}})");
        }
    }

    /// A chat (or Anthropic) event stream in chunked transfer coding: the head with the first
    /// event, then one event per gap, then the end events and the last chunk in one write.
    /// Events keep their cadence (chunk i at start + i × gap) however long the writes take.
    awaitable<void> stream(const pacing& p, bool chat) {
        const std::string model = model_of(body_, chat ? "gpt-4o-mini" : "claude-3-5-haiku");
        const bool usage = chat && wants_usage(body_);
        co_await pause(p.first_byte_ms);
        const auto start = std::chrono::steady_clock::now();
        std::string out =
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
            "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\nx-request-id: req_bench\r\n";
        if (!head_.keep_alive) {
            out += "Connection: close\r\n";
        }
        out += "\r\n";
        if (!chat) {
            append_chunk(out, anthropic_stream_start(model));
        }
        for (unsigned i = 0; i < p.chunks; ++i) {
            if (i > 0) {
                co_await send(out);
                out.clear();
                co_await pause_until(start + std::chrono::milliseconds(p.chunk_gap_ms) * i);
            }
            append_chunk(out, chat ? chat_chunk(model, i, usage) : anthropic_delta(i));
        }
        append_chunk(
            out, chat ? chat_stream_end(model, p.chunks, usage) : anthropic_stream_end(p.chunks));
        out += "0\r\n\r\n";
        co_await send(out);
    }

    tcp::socket sock_;
    asio::steady_timer timer_;
    const options& opt_;
    counters& count_;
    read_buffer buf_{8 * 1024};
    http1::head head_;
    std::string body_;
};

void start_session(tcp::socket sock, const options& opt, counters& count) {
    count.connections.fetch_add(1, std::memory_order_relaxed);
    sock.set_option(tcp::no_delay(true));
    auto s = std::make_shared<session>(std::move(sock), opt, count);
    const auto ex = s->executor();
    asio::co_spawn(
        ex, [s]() -> awaitable<void> { co_await s->run(); }, asio::detached);
}

awaitable<void> accept_loop(tcp::acceptor& acceptor, const options& opt, counters& count) {
    // Connections waiting in the backlog are taken in a batch: one accept per turn of a loop
    // that relays thousands of open streams left new connections (the clients' requests
    // already sent) waiting seconds in the backlog, a delay that belongs to no target.
    constexpr int batch = 256;
    acceptor.non_blocking(true);
    for (;;) {
        auto [ec, sock] = co_await acceptor.async_accept(asio::as_tuple(use_awaitable));
        if (ec) {
            if (ec == asio::error::operation_aborted) {
                co_return;
            }
            continue;  // e.g. out of file descriptors for a moment
        }
        start_session(std::move(sock), opt, count);
        for (int i = 1; i < batch; ++i) {
            boost::system::error_code more;
            tcp::socket next = acceptor.accept(more);
            if (more) {
                break;  // the backlog is empty (would block), or the async accept reports it
            }
            start_session(std::move(next), opt, count);
        }
    }
}

tcp::acceptor listen_on(asio::io_context& ctx, const tcp::endpoint& ep) {
    tcp::acceptor acceptor(ctx);
    acceptor.open(ep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    const int one = 1;
    ::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    acceptor.bind(ep);
    acceptor.listen(asio::socket_base::max_listen_connections);
    return acceptor;
}

}  // namespace

int run(const options& opt, counters& count) {
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    std::vector<tcp::acceptor> acceptors;
    tcp::endpoint ep(asio::ip::make_address(opt.host), opt.port);
    for (unsigned i = 0; i < opt.threads; ++i) {
        contexts.push_back(std::make_unique<asio::io_context>(1));
        acceptors.push_back(listen_on(*contexts.back(), ep));
        ep = acceptors.front().local_endpoint();  // the others share the chosen port
    }
    std::printf("listening on %s:%u\n", opt.host.c_str(), static_cast<unsigned>(ep.port()));
    std::fflush(stdout);

    asio::signal_set signals(*contexts.front(), SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) {
        for (auto& c : contexts) {
            c->stop();
        }
    });
    for (std::size_t i = 0; i < contexts.size(); ++i) {
        asio::co_spawn(*contexts[i], accept_loop(acceptors[i], opt, count), asio::detached);
    }
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < contexts.size(); ++i) {
        threads.emplace_back([&c = *contexts[i]] { c.run(); });
    }
    contexts.front()->run();
    for (auto& c : contexts) {
        c->stop();
    }
    for (auto& t : threads) {
        t.join();
    }
    std::fprintf(stderr, "bench-upstream: %llu requests on %llu connections\n",
                 static_cast<unsigned long long>(count.requests.load()),
                 static_cast<unsigned long long>(count.connections.load()));
    return 0;
}

}  // namespace bench::upstream
