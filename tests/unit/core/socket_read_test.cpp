// core::async_read_some: reads what arrives, loses nothing, ends and cancels as Asio's read
// does, and after a short read waits for readiness without a recv() that would fail.
#include "hadrian/core/socket_read.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <optional>
#include <string>

namespace {

/// recv() calls on the one descriptor a test watches (-1: none).
std::atomic<int> watched_fd{-1};
std::atomic<int> recv_calls{0};

}  // namespace

// Count the calls on the watched descriptor, then do the real call.
extern "C" ssize_t recv(int fd, void* buf, size_t len, int flags) {
    using recv_fn = ssize_t (*)(int, void*, size_t, int);
    static const auto real = reinterpret_cast<recv_fn>(::dlsym(RTLD_NEXT, "recv"));
    if (fd == watched_fd.load()) {
        recv_calls.fetch_add(1);
    }
    return real(fd, buf, len, flags);
}

extern "C" ssize_t recvmsg(int fd, msghdr* msg, int flags) {
    using recvmsg_fn = ssize_t (*)(int, msghdr*, int);
    static const auto real = reinterpret_cast<recvmsg_fn>(::dlsym(RTLD_NEXT, "recvmsg"));
    if (fd == watched_fd.load()) {
        recv_calls.fetch_add(1);
    }
    return real(fd, msg, flags);
}

namespace hadrian::core {
namespace {

using asio::ip::tcp;

/// A connected pair on the loopback: `ours` is read with async_read_some, `peer` writes.
class SocketRead : public ::testing::Test {
protected:
    /// Connects `reader` to `writer` over the loopback.
    void connect_pair(tcp::socket& reader, tcp::socket& writer) {
        tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        reader.connect(acceptor.local_endpoint());
        acceptor.accept(writer);
    }

    void SetUp() override {
        connect_pair(ours, peer);
        ASSERT_TRUE(enable_read_hints(ours.native_handle()));
        watched_fd = ours.native_handle();
        recv_calls = 0;
    }
    void TearDown() override { watched_fd = -1; }

    /// Starts a read of up to `room` bytes; its result lands in `ec` / `got`.
    void start_read(std::size_t room) {
        buf.assign(room, '\0');
        done = false;
        async_read_some(ours, asio::buffer(buf), [this](error_code e, std::size_t n) {
            done = true;
            ec = e;
            got = buf.substr(0, n);
        });
    }
    /// Starts an async_read_block; its result lands in `ec` / `got`.
    void start_block_read() {
        done = false;
        async_read_block(ours, [this](error_code e, read_block block) {
            done = true;
            ec = e;
            got = std::string(block.bytes());
        });
    }
    void send(const std::string& bytes) { asio::write(peer, asio::buffer(bytes)); }
    /// Runs the handlers that are ready, and those of events already there.
    void settle() {
        io.restart();
        io.poll();
    }
    /// Runs until the read completed (or a second passed).
    void wait() {
        io.restart();
        io.run_for(std::chrono::seconds(1));
    }

    asio::io_context io;
    tcp::socket ours{io};
    tcp::socket peer{io};
    std::string buf;
    bool done = false;
    error_code ec;
    std::string got;
};

TEST_F(SocketRead, ReadsWhatArrives) {
    start_read(64);
    settle();
    EXPECT_FALSE(done) << "nothing sent yet";
    send("hello");
    wait();
    ASSERT_TRUE(done);
    EXPECT_FALSE(ec);
    EXPECT_EQ(got, "hello");
}

TEST_F(SocketRead, AfterAShortReadWaitsWithoutTryingToRead) {
    send("first");
    start_read(64);
    wait();
    ASSERT_EQ(got, "first");
    const int after_first = recv_calls;

    start_read(64);
    settle();
    EXPECT_FALSE(done);
    EXPECT_EQ(recv_calls, after_first) << "the socket was left empty: no recv() tried";

    send("second");
    wait();
    ASSERT_TRUE(done);
    EXPECT_EQ(got, "second");
    EXPECT_EQ(recv_calls, after_first + 1) << "one recv() when epoll reported the bytes";
}

TEST_F(SocketRead, WithoutHintsEachReadIsTriedAtOnce) {
    tcp::socket plain(io);
    tcp::socket plain_peer(io);
    connect_pair(plain, plain_peer);
    watched_fd = plain.native_handle();
    asio::write(plain_peer, asio::buffer(std::string("first")));
    std::string room(64, '\0');
    std::string read;
    const auto on_read = [&](error_code, std::size_t n) { read = room.substr(0, n); };
    async_read_some(plain, asio::buffer(room), on_read);
    wait();
    ASSERT_EQ(read, "first");
    const int after_first = recv_calls;

    read.clear();
    async_read_some(plain, asio::buffer(room), on_read);
    settle();
    EXPECT_EQ(recv_calls, after_first + 1) << "without the hint the read is tried";
    asio::write(plain_peer, asio::buffer(std::string("second")));
    wait();
    EXPECT_EQ(read, "second");
}

TEST_F(SocketRead, AFullReadLeavesTheRestForTheNextRead) {
    send("0123456789");
    settle();
    start_read(4);
    wait();
    EXPECT_EQ(got, "0123");
    start_read(4);
    wait();
    EXPECT_EQ(got, "4567");
    start_read(4);
    wait();
    EXPECT_EQ(got, "89");
}

TEST_F(SocketRead, BytesArrivingBetweenReadsAreNotLost) {
    send("a");
    start_read(64);
    wait();
    ASSERT_EQ(got, "a");
    // The bytes arrive, and epoll reports them, while no read is pending.
    send("b");
    settle();
    start_read(64);
    wait();
    ASSERT_TRUE(done);
    EXPECT_EQ(got, "b");
}

TEST_F(SocketRead, TheEndRightAfterTheLastBytesIsSeen) {
    // The read waits; the last bytes and the FIN arrive together, one edge for both. The
    // read takes the bytes, so the next read must not wait for an edge: none will come.
    start_read(64);
    settle();
    send("last");
    peer.shutdown(tcp::socket::shutdown_send);
    wait();
    ASSERT_EQ(got, "last");
    start_read(64);
    wait();
    ASSERT_TRUE(done) << "the read waited for an edge that never comes";
    EXPECT_EQ(ec, asio::error::eof);
}

TEST_F(SocketRead, EndOfStreamIsEof) {
    send("x");
    start_read(64);
    wait();
    peer.close();
    start_read(64);
    wait();
    ASSERT_TRUE(done);
    EXPECT_EQ(ec, asio::error::eof);
    EXPECT_TRUE(got.empty());
}

TEST_F(SocketRead, CancelAbortsAPendingRead) {
    start_read(64);
    settle();
    ours.cancel();
    wait();
    ASSERT_TRUE(done);
    EXPECT_EQ(ec, asio::error::operation_aborted);
}

TEST_F(SocketRead, CloseAbortsAPendingRead) {
    send("x");
    start_read(64);
    wait();
    start_read(64);
    settle();
    ours.close();
    wait();
    ASSERT_TRUE(done);
    EXPECT_EQ(ec, asio::error::operation_aborted);
}

TEST_F(SocketRead, AZeroSizeReadCompletesAtOnce) {
    start_read(0);
    settle();
    ASSERT_TRUE(done);
    EXPECT_FALSE(ec);
    EXPECT_EQ(recv_calls, 0);
}

TEST_F(SocketRead, ACancellationSlotCancelsTheRead) {
    asio::cancellation_signal signal;
    std::optional<error_code> result;
    buf.assign(64, '\0');
    async_read_some(ours, asio::buffer(buf),
                    asio::bind_cancellation_slot(signal.slot(),
                                                 [&](error_code e, std::size_t) { result = e; }));
    settle();
    EXPECT_FALSE(result);
    signal.emit(asio::cancellation_type::terminal);
    wait();
    ASSERT_TRUE(result);
    EXPECT_EQ(*result, asio::error::operation_aborted);
}

TEST_F(SocketRead, ABlockReadGetsWhatArrives) {
    start_block_read();
    settle();
    EXPECT_FALSE(done) << "nothing sent yet";
    send("hello");
    wait();
    ASSERT_TRUE(done);
    EXPECT_FALSE(ec);
    EXPECT_EQ(got, "hello");
}

TEST_F(SocketRead, AWaitingBlockReadHoldsNoBlock) {
    // A block given back goes to the thread's spares, and is the next one taken.
    read_block spare = read_block::take();
    const void* const address = spare.room().data();
    spare.release();
    start_block_read();  // tried at once: nothing there, so it waits
    settle();
    ASSERT_FALSE(done);
    read_block next = read_block::take();
    EXPECT_EQ(next.room().data(), address) << "the waiting read kept the block";
    next.release();
    send("later");
    wait();
    ASSERT_TRUE(done);
    EXPECT_EQ(got, "later");
}

TEST_F(SocketRead, ABlockReadTakesAtMostABlockAndLeavesTheRest) {
    const std::string big(read_block::capacity + 100, 'x');
    send(big);
    start_block_read();
    wait();
    ASSERT_TRUE(done);
    EXPECT_EQ(got.size(), read_block::capacity);
    start_block_read();
    wait();
    ASSERT_TRUE(done);
    EXPECT_EQ(got, std::string(100, 'x'));
}

TEST_F(SocketRead, ABlockReadSeesTheEndAndTheClose) {
    send("last");
    peer.shutdown(tcp::socket::shutdown_send);
    start_block_read();
    wait();
    ASSERT_EQ(got, "last");
    start_block_read();
    wait();
    ASSERT_TRUE(done);
    EXPECT_EQ(ec, asio::error::eof);
    EXPECT_TRUE(got.empty());

    tcp::socket other(io);
    tcp::socket other_peer(io);
    connect_pair(other, other_peer);
    std::optional<error_code> closed;
    async_read_block(other, [&](error_code e, read_block b) {
        closed = e;
        EXPECT_TRUE(b.bytes().empty());
    });
    settle();
    other.close();
    wait();
    ASSERT_TRUE(closed);
    EXPECT_EQ(*closed, asio::error::operation_aborted);
}

}  // namespace
}  // namespace hadrian::core
