/// core::async_read_some: a TCP socket read that does not try recv() when the socket is known
/// to be empty.
///
/// Asio's async_read_some first tries a non-blocking recv() and waits for readiness only when
/// that fails. Most reads of a proxy find nothing there: the answer to a request just sent,
/// the next request of a keep-alive client that is still reading its answer, the next event of
/// a stream. Each such try is a system call that fails with EAGAIN: one per request on each
/// side, one per stream event.
///
/// With TCP_INQ on (enable_read_hints()), each read learns from the kernel how many bytes it
/// left behind, a FIN counting as one. When none, the op tells the reactor the socket is
/// "exhausted", as Asio's own send op does after a short write: the reactor then queues the
/// next read without trying it, and tries again only when epoll reports an edge (the socket is
/// registered edge-triggered; each arrival of bytes or of the FIN is one). A read alone cannot
/// tell: a short read may leave the FIN behind, and no edge would follow. nginx keeps the same
/// "ready" flag with EPOLLRDHUP, which Asio does not register.
///
/// The op plugs into Asio's reactor (Boost 1.81's epoll reactor); socket_read.cpp reaches
/// the socket's implementation. A read whose handler has a connected cancellation slot, or
/// any other Asio, goes through the socket's own async_read_some. Without the hint (the option
/// refused, or never set) every read is tried at once, as Asio's.
#pragma once

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/detail/bind_handler.hpp>
#include <boost/asio/detail/fenced_block.hpp>
#include <boost/asio/detail/handler_alloc_helpers.hpp>
#include <boost/asio/detail/handler_cont_helpers.hpp>
#include <boost/asio/detail/handler_work.hpp>
#include <boost/asio/detail/memory.hpp>
#include <boost/asio/detail/reactor_op.hpp>
#include <boost/asio/detail/socket_types.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/version.hpp>
#include <cstddef>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>

#include "hadrian/core/asio.hpp"

#if BOOST_VERSION == 108100 && defined(__linux__) && !defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
#define HADRIAN_SOCKET_READ_REACTOR 1
#else
#define HADRIAN_SOCKET_READ_REACTOR 0
#endif

namespace hadrian::core {

/// The bytes one async_read_block received, in a block of its own. Move-only; a released
/// block goes back to the spares of the thread that releases it (a few are kept per thread),
/// so a steady flow of reads allocates nothing.
class read_block {
public:
    static constexpr std::size_t capacity = 16 * 1024;

    read_block() noexcept = default;
    read_block(read_block&& other) noexcept
        : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
    read_block& operator=(read_block&& other) noexcept {
        if (this != &other) {
            release();
            data_ = std::exchange(other.data_, nullptr);
            size_ = std::exchange(other.size_, 0);
        }
        return *this;
    }
    ~read_block() { release(); }

    std::string_view bytes() const noexcept { return {data_, size_}; }

    /// A block to read into: a spare of this thread's, else a new one. Its bytes are empty.
    static read_block take();
    asio::mutable_buffer room() noexcept { return {data_, capacity}; }
    void set_size(std::size_t n) noexcept { size_ = n; }
    /// Gives the block back (to the thread's spares, or the heap when they are full).
    void release() noexcept;

private:
    char* data_ = nullptr;
    std::size_t size_ = 0;
};

namespace socket_read_detail {

#if HADRIAN_SOCKET_READ_REACTOR

/// Starts `op` as the socket's read operation (a zero-size read completes at once).
void start(asio::ip::tcp::socket& socket, asio::detail::reactor_op* op, bool empty,
           bool is_continuation);

/// One non-blocking read: not_done on EAGAIN, done_and_exhausted when it left nothing behind.
asio::detail::reactor_op::status read(asio::detail::socket_type socket, asio::mutable_buffer buffer,
                                      error_code& ec, std::size_t& n);

/// One read: into a buffer the caller holds (Target asio::mutable_buffer; the handler gets
/// the bytes read), or into a read_block taken only when the read is tried (Target
/// read_block; the handler gets the block, and a read that waits holds none). See read().
template <class Handler, class IoExecutor, class Target>
class read_op : public asio::detail::reactor_op {
public:
    BOOST_ASIO_DEFINE_HANDLER_PTR(read_op);

    read_op(asio::detail::socket_type socket, Target target, Handler& handler,
            const IoExecutor& io_ex)
        : reactor_op(error_code{}, &read_op::perform, &read_op::complete),
          socket_(socket),
          target_(std::move(target)),
          handler_(std::move(handler)),
          work_(handler_, io_ex) {}

private:
    static constexpr bool into_block = std::is_same_v<Target, read_block>;

    static status perform(reactor_op* base) {
        auto* o = static_cast<read_op*>(base);
        if constexpr (into_block) {
            o->target_ = read_block::take();
            const status s = read(o->socket_, o->target_.room(), o->ec_, o->bytes_transferred_);
            if (s == status::not_done) {
                o->target_.release();  // waiting holds no block
            } else {
                o->target_.set_size(o->bytes_transferred_);
            }
            return s;
        } else {
            return read(o->socket_, o->target_, o->ec_, o->bytes_transferred_);
        }
    }

    static void complete(void* owner, asio::detail::operation* base, const error_code&,
                         std::size_t) {
        auto* o = static_cast<read_op*>(base);
        ptr p = {asio::detail::addressof(o->handler_), o, o};
        asio::detail::handler_work<Handler, IoExecutor> work(std::move(o->work_));
        // The handler and its result are moved out before the op's memory goes back to its
        // allocator: the handler may own that memory.
        using result = std::conditional_t<into_block, read_block, std::size_t>;
        result r = [o]() -> result {
            if constexpr (into_block) {
                return std::move(o->target_);
            } else {
                return o->bytes_transferred_;
            }
        }();
        asio::detail::move_binder2<Handler, error_code, result> handler(0, std::move(o->handler_),
                                                                        o->ec_, std::move(r));
        p.h = asio::detail::addressof(handler.handler_);
        p.reset();
        if (owner != nullptr) {
            asio::detail::fenced_block fence(asio::detail::fenced_block::half);
            work.complete(handler, handler.handler_);
        }
    }

    asio::detail::socket_type socket_;
    Target target_;
    Handler handler_;
    asio::detail::handler_work<Handler, IoExecutor> work_;
};

/// Starts a read_op into `target` with `handler`.
template <class Handler, class Target>
void start_read(Handler& handler, asio::ip::tcp::socket& socket, Target target) {
    using op = read_op<Handler, asio::ip::tcp::socket::executor_type, Target>;
    bool empty = false;
    if constexpr (std::is_same_v<Target, asio::mutable_buffer>) {
        empty = target.size() == 0;
    }
    const bool is_continuation = boost_asio_handler_cont_helpers::is_continuation(handler);
    typename op::ptr p = {asio::detail::addressof(handler), op::ptr::allocate(handler), nullptr};
    p.p = new (p.v) op(socket.native_handle(), std::move(target), handler, socket.get_executor());
    start(socket, p.p, empty, is_continuation);
    p.v = p.p = nullptr;
}

struct initiate_read {
    template <class Handler>
    void operator()(Handler&& h, asio::ip::tcp::socket* socket, asio::mutable_buffer buffer) const {
        using handler_type = std::decay_t<Handler>;
        handler_type handler(std::forward<Handler>(h));
        if (asio::get_associated_cancellation_slot(handler).is_connected()) {
            socket->async_read_some(buffer, std::move(handler));
            return;
        }
        start_read(handler, *socket, buffer);
    }
};

#endif

}  // namespace socket_read_detail

/// Asks the kernel to tell each read of the TCP socket `fd` what it left behind (TCP_INQ), so
/// that async_read_some can wait without trying. Set on a listening socket, the sockets it
/// accepts inherit it. Returns false where the kernel refuses.
bool enable_read_hints(int fd) noexcept;

/// Reads some bytes into `buffer`, as socket.async_read_some(buffer, token) does, without the
/// failing recv() try when the socket's last read left it empty.
template <class Token>
auto async_read_some(asio::ip::tcp::socket& socket, asio::mutable_buffer buffer, Token&& token) {
#if HADRIAN_SOCKET_READ_REACTOR
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        socket_read_detail::initiate_read{}, token, &socket, buffer);
#else
    return socket.async_read_some(buffer, std::forward<Token>(token));
#endif
}

namespace socket_read_detail {

struct initiate_read_block {
    template <class Handler>
    void operator()(Handler&& handler, asio::ip::tcp::socket* socket) const {
        using handler_type = std::decay_t<Handler>;
        handler_type h(std::forward<Handler>(handler));
#if HADRIAN_SOCKET_READ_REACTOR
        start_read(h, *socket, read_block{});
#else
        auto block = std::make_unique<read_block>(read_block::take());
        const auto room = block->room();
        socket->async_read_some(room, [h = std::move(h), block = std::move(block)](
                                          error_code ec, std::size_t n) mutable {
            block->set_size(n);
            std::move(h)(ec, std::move(*block));
        });
#endif
    }
};

}  // namespace socket_read_detail

/// Reads some bytes once, as async_read_some does, into a read_block taken only when the
/// bytes have arrived: a connection waiting for its peer holds no buffer. Completes with
/// (error_code, read_block); the block is empty on an error. The read ends with the socket's
/// close; a cancellation slot is not looked at.
template <class Token>
auto async_read_block(asio::ip::tcp::socket& socket, Token&& token) {
    return asio::async_initiate<Token, void(error_code, read_block)>(
        socket_read_detail::initiate_read_block{}, token, &socket);
}

}  // namespace hadrian::core
