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
#include <utility>

#include "hadrian/core/asio.hpp"

#if BOOST_VERSION == 108100 && defined(__linux__) && !defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
#define HADRIAN_SOCKET_READ_REACTOR 1
#else
#define HADRIAN_SOCKET_READ_REACTOR 0
#endif

namespace hadrian::core {

namespace socket_read_detail {

#if HADRIAN_SOCKET_READ_REACTOR

/// Starts `op` as the socket's read operation (a zero-size read completes at once).
void start(asio::ip::tcp::socket& socket, asio::detail::reactor_op* op, bool empty,
           bool is_continuation);

/// One non-blocking read: not_done on EAGAIN, done_and_exhausted when it left nothing behind.
asio::detail::reactor_op::status read(asio::detail::socket_type socket,
                                      asio::mutable_buffer buffer, error_code& ec,
                                      std::size_t& n);

/// One read into one buffer; see read().
template <class Handler, class IoExecutor>
class read_op : public asio::detail::reactor_op {
public:
    BOOST_ASIO_DEFINE_HANDLER_PTR(read_op);

    read_op(asio::detail::socket_type socket, asio::mutable_buffer buffer, Handler& handler,
            const IoExecutor& io_ex)
        : reactor_op(error_code{}, &read_op::perform, &read_op::complete),
          socket_(socket),
          buffer_(buffer),
          handler_(std::move(handler)),
          work_(handler_, io_ex) {}

private:
    static status perform(reactor_op* base) {
        auto* o = static_cast<read_op*>(base);
        return read(o->socket_, o->buffer_, o->ec_, o->bytes_transferred_);
    }

    static void complete(void* owner, asio::detail::operation* base, const error_code&,
                         std::size_t) {
        auto* o = static_cast<read_op*>(base);
        ptr p = {asio::detail::addressof(o->handler_), o, o};
        asio::detail::handler_work<Handler, IoExecutor> work(std::move(o->work_));
        // The handler is moved out before the op's memory goes back to its allocator: the
        // handler may own that memory.
        asio::detail::binder2<Handler, error_code, std::size_t> handler(o->handler_, o->ec_,
                                                                        o->bytes_transferred_);
        p.h = asio::detail::addressof(handler.handler_);
        p.reset();
        if (owner != nullptr) {
            asio::detail::fenced_block fence(asio::detail::fenced_block::half);
            work.complete(handler, handler.handler_);
        }
    }

    asio::detail::socket_type socket_;
    asio::mutable_buffer buffer_;
    Handler handler_;
    asio::detail::handler_work<Handler, IoExecutor> work_;
};

struct initiate_read {
    template <class Handler>
    void operator()(Handler&& h, asio::ip::tcp::socket* socket, asio::mutable_buffer buffer) const {
        using handler_type = std::decay_t<Handler>;
        handler_type handler(std::forward<Handler>(h));
        if (asio::get_associated_cancellation_slot(handler).is_connected()) {
            socket->async_read_some(buffer, std::move(handler));
            return;
        }
        using op = read_op<handler_type, asio::ip::tcp::socket::executor_type>;
        const bool is_continuation = boost_asio_handler_cont_helpers::is_continuation(handler);
        typename op::ptr p = {asio::detail::addressof(handler), op::ptr::allocate(handler),
                              nullptr};
        p.p = new (p.v) op(socket->native_handle(), buffer, handler, socket->get_executor());
        start(*socket, p.p, buffer.size() == 0, is_continuation);
        p.v = p.p = nullptr;
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

}  // namespace hadrian::core
