#include "engine.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "../common/http1.hpp"
#include "../common/read_buffer.hpp"

namespace bench::load {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::uint32_t micros(clock::duration d) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    return static_cast<std::uint32_t>(std::clamp<std::int64_t>(us, 0, UINT32_MAX));
}

clock::duration seconds(double s) {
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(s));
}

bool is_event_stream(const http1::head& h) {
    return h.field("content-type").starts_with("text/event-stream");
}

}  // namespace

struct engine::conn {
    explicit conn(asio::io_context& io) : sock(io) {}

    tcp::socket sock;
    read_buffer buf{8 * 1024};
    http1::head head;
    bool have_head = false;
    http1::body_reader body;
    bool busy = false;
    bool timed_out = false;
    bool got_first_byte = false;
    clock::time_point scheduled;
    clock::time_point first_byte;
    clock::time_point connected;
    clock::time_point written;
    clock::time_point head_at;
    clock::time_point deadline;
    std::string tail;  // the last bytes of the body, to check how a stream ended
};

engine::engine(asio::io_context& io, const options& opt)
    : io_(io),
      opt_(opt),
      request_(request_bytes(opt)),
      endpoint_(asio::ip::make_address(opt.host), opt.port),
      schedule_timer_(io),
      sweep_timer_(io) {
    if (opt.streams > 0) {
        mode_ = mode::hold;
        total_ = opt.streams;
        rate_ = opt.ramp > 0 ? opt.streams / opt.ramp : 1e12;
        max_connections_ = opt.streams;
        res_.window_s = opt.ramp;
    } else if (opt.rate > 0) {
        mode_ = mode::open;
        rate_ = opt.rate;
        total_ = static_cast<std::uint64_t>(opt.rate * opt.duration + 0.5);
        max_connections_ = opt.connections > 0 ? opt.connections : 4096;
        res_.window_s = opt.duration;
    } else {
        mode_ = mode::closed;
        max_connections_ = opt.connections;
        res_.window_s = opt.duration;
    }
}

engine::~engine() = default;

result engine::run() {
    start_ = clock::now();
    res_.start_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(start_.time_since_epoch()).count();
    window_end_ = start_ + seconds(res_.window_s);
    drain_end_ = window_end_ + seconds(opt_.timeout);
    last_answer_ = start_;
    if (mode_ == mode::closed) {
        for (unsigned i = 0; i < max_connections_; ++i) {
            open(start_);
        }
        schedule_timer_.expires_at(window_end_);
        schedule_timer_.async_wait([this](boost::system::error_code) { sending_done_ = true; });
    } else {
        next_tick();
    }
    sweep();
    io_.run();

    // Whatever is still outstanding at the drain deadline.
    for (const auto& c : conns_) {
        if (c->busy) {
            count_error("timeout");
        }
    }
    res_.errors["not_sent"] += pending_.size();
    if (res_.errors["not_sent"] == 0) {
        res_.errors.erase("not_sent");
    }
    const auto end = in_flight_ > 0 || !pending_.empty() ? clock::now() : last_answer_;
    res_.elapsed_s = std::chrono::duration<double>(end - start_).count();
    return std::move(res_);
}

void engine::next_tick() {
    const auto now = clock::now();
    while (next_ < total_) {
        const auto at = start_ + seconds(static_cast<double>(next_) / rate_);
        if (at > now) {
            schedule_timer_.expires_at(at);
            schedule_timer_.async_wait([this](boost::system::error_code ec) {
                if (!ec) {
                    next_tick();
                }
            });
            return;
        }
        ++next_;
        ++res_.scheduled;
        dispatch(at);
    }
    sending_done_ = true;
}

namespace {

/// Whether an idle keep-alive connection was closed by the server meanwhile (or has bytes
/// nobody asked for): a client that sent on it would see a read error that is no fault of the
/// server's, so it is dropped before reuse, as HTTP clients do.
bool closed_while_idle(boost::asio::ip::tcp::socket& sock) {
    char byte = 0;
    const ssize_t n = ::recv(sock.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

}  // namespace

void engine::dispatch(clock::time_point scheduled) {
    while (!idle_.empty() && closed_while_idle(idle_.back()->sock)) {
        boost::system::error_code ignored;
        idle_.back()->sock.close(ignored);
        conns_.erase(std::find(conns_.begin(), conns_.end(), idle_.back()));
        idle_.pop_back();
    }
    if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        send(c, scheduled);
    } else if (conns_.size() < max_connections_) {
        open(scheduled);
    } else {
        pending_.push_back(scheduled);
    }
}

void engine::open(clock::time_point scheduled) {
    auto c = std::make_shared<conn>(io_);
    conns_.push_back(c);
    ++res_.connections_opened;
    c->busy = true;
    c->scheduled = scheduled;
    c->deadline = scheduled + seconds(opt_.timeout);
    ++in_flight_;
    res_.max_in_flight = std::max(res_.max_in_flight, in_flight_);
    c->sock.async_connect(endpoint_, [this, c](boost::system::error_code ec) {
        if (ec) {
            fail(c, c->timed_out ? "timeout" : "connect");
            return;
        }
        c->sock.set_option(tcp::no_delay(true));
        c->connected = clock::now();
        --in_flight_;  // send() counts it again
        send(c, c->scheduled);
    });
}

void engine::send(const conn_ptr& c, clock::time_point scheduled) {
    c->busy = true;
    c->scheduled = scheduled;
    c->deadline = scheduled + seconds(opt_.timeout);
    c->have_head = false;
    c->got_first_byte = false;
    c->tail.clear();
    ++in_flight_;
    res_.max_in_flight = std::max(res_.max_in_flight, in_flight_);
    asio::async_write(c->sock, asio::buffer(request_),
                      [this, c](boost::system::error_code ec, std::size_t) {
                          if (ec) {
                              fail(c, c->timed_out ? "timeout" : "write");
                              return;
                          }
                          c->written = clock::now();
                          read(c);
                      });
}

void engine::read(const conn_ptr& c) {
    const std::size_t room = c->buf.prepare(4096);
    c->sock.async_read_some(
        asio::buffer(c->buf.write_ptr(), room),
        [this, c](boost::system::error_code ec, std::size_t n) { on_read(c, ec, n); });
}

void engine::on_read(const conn_ptr& c, boost::system::error_code ec, std::size_t n) {
    if (ec) {
        if (ec == asio::error::eof && c->have_head && c->body.until_close()) {
            c->head.keep_alive = false;
            complete(c);
            return;
        }
        fail(c, c->timed_out ? "timeout" : "read");
        return;
    }
    c->buf.commit(n);
    if (!c->have_head) {
        std::size_t used = 0;
        const auto st = http1::parse_head(c->buf.view(), false, c->head, used);
        if (st == http1::parse_status::bad) {
            fail(c, "parse");
            return;
        }
        if (st == http1::parse_status::incomplete) {
            read(c);
            return;
        }
        c->buf.consume(used);
        c->have_head = true;
        c->head_at = clock::now();
        c->body.reset(c->head, false);
    }
    const auto used = c->body.feed(c->buf.view(), [&](std::string_view d) {
        if (d.empty()) {
            return;
        }
        if (!c->got_first_byte) {
            c->got_first_byte = true;
            c->first_byte = clock::now();
        }
        c->tail.append(d);
        if (c->tail.size() > 256) {
            c->tail.erase(0, c->tail.size() - 64);
        }
    });
    if (!used) {
        fail(c, "parse");
        return;
    }
    c->buf.consume(*used);
    if (c->body.done()) {
        complete(c);
    } else {
        read(c);
    }
}

void engine::complete(const conn_ptr& c) {
    const auto now = clock::now();
    last_answer_ = now;
    ++res_.statuses[c->head.status];
    bool good = c->head.status / 100 == 2;
    if (!good) {
        count_error("status");
    } else if (is_event_stream(c->head)) {
        std::string_view t = c->tail;
        while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) {
            t.remove_suffix(1);
        }
        // The last event must be the end marker (an in-band error is not).
        const auto last = t.rfind("\n\n");
        const auto event = last == std::string_view::npos ? t : t.substr(last + 2);
        if (event != opt_.stream_end) {
            good = false;
            count_error("stream");
        }
    }
    if (good) {
        ++res_.ok;
        if (now <= window_end_) {
            ++res_.ok_in_window;
        }
        res_.latency_us.push_back(micros(now - c->scheduled));
        if (c->got_first_byte) {
            res_.ttfb_us.push_back(micros(c->first_byte - c->scheduled));
        }
        if (!opt_.timeline.empty()) {
            const auto at = [&](clock::time_point t) { return micros(t - start_); };
            res_.timeline.push_back({at(c->scheduled), at(c->connected), at(c->written),
                                     at(c->head_at), at(c->first_byte), at(now)});
        }
    }
    release(c, c->head.keep_alive && mode_ != mode::hold);
}

void engine::fail(const conn_ptr& c, const char* kind) {
    count_error(kind);
    release(c, false);
}

void engine::release(const conn_ptr& c, bool reusable) {
    c->busy = false;
    --in_flight_;
    if (!reusable) {
        boost::system::error_code ignored;
        c->sock.close(ignored);
        conns_.erase(std::find(conns_.begin(), conns_.end(), c));
    }
    const auto now = clock::now();
    if (mode_ == mode::closed) {
        if (now < window_end_) {
            reusable ? send(c, now) : open(now);
        }
    } else if (!pending_.empty()) {
        const auto at = pending_.front();
        pending_.pop_front();
        reusable ? send(c, at) : open(at);
    } else if (reusable) {
        idle_.push_back(c);
    }
    if (finished()) {
        io_.stop();
    }
}

bool engine::finished() const { return sending_done_ && in_flight_ == 0 && pending_.empty(); }

void engine::sweep() {
    const auto now = clock::now();
    if (finished() || now >= drain_end_) {
        io_.stop();
        return;
    }
    for (const auto& c : conns_) {
        if (c->busy && !c->timed_out && now >= c->deadline) {
            c->timed_out = true;
            boost::system::error_code ignored;
            c->sock.close(ignored);  // the pending operation fails and counts the timeout
        }
    }
    // Requests waiting for a connection time out too.
    while (!pending_.empty() && now >= pending_.front() + seconds(opt_.timeout)) {
        pending_.pop_front();
        count_error("timeout");
    }
    sweep_timer_.expires_after(std::chrono::milliseconds(50));
    sweep_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) {
            sweep();
        }
    });
}

}  // namespace bench::load
