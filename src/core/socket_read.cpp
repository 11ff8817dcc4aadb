// core::async_read_some's read and its way into Asio. The socket's implementation and its
// service's start_op are protected, so their member pointers are taken where the language
// allows it without access checks, in an explicit instantiation.
#include "hadrian/core/socket_read.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace hadrian::core {

namespace {

/// A thread's released blocks, for its next reads: a read's block is mostly released by the
/// handler that runs right after the read, so a few cover a busy event loop.
struct block_spares {
    static constexpr std::size_t limit = 4;
    std::array<char*, limit> blocks{};
    std::size_t count = 0;
    bool gone = false;  // the thread is ending: a block released now goes to the heap
    ~block_spares() {
        for (std::size_t i = 0; i < count; ++i) {
            delete[] blocks[i];
        }
        count = 0;
        gone = true;
    }
};

thread_local block_spares spares;

}  // namespace

read_block read_block::take() {
    read_block b;
    b.data_ = spares.count > 0 ? spares.blocks[--spares.count]
                               : new char[capacity];  // NOLINT: owned by the block
    return b;
}

void read_block::release() noexcept {
    if (data_ == nullptr) {
        return;
    }
    if (!spares.gone && spares.count < block_spares::limit) {
        spares.blocks[spares.count++] = data_;
    } else {
        delete[] data_;
    }
    data_ = nullptr;
    size_ = 0;
}

bool enable_read_hints(int fd) noexcept {
    const int on = 1;
    return ::setsockopt(fd, IPPROTO_TCP, TCP_INQ, &on, sizeof on) == 0;
}

}  // namespace hadrian::core

#if HADRIAN_SOCKET_READ_REACTOR

#include <boost/asio/detail/io_object_impl.hpp>
#include <boost/asio/detail/reactive_socket_service.hpp>

namespace hadrian::core::socket_read_detail {
namespace {

using tcp = asio::ip::tcp;
using socket_base = asio::basic_socket<tcp, tcp::socket::executor_type>;
using service = asio::detail::reactive_socket_service<tcp>;
using service_base = asio::detail::reactive_socket_service_base;
using object_impl = asio::detail::io_object_impl<service, tcp::socket::executor_type>;

/// A member pointer named by a tag; grant<> below defines `member(Tag)`.
struct impl_tag {
    using type = object_impl socket_base::*;
    friend type member(impl_tag);
};
struct start_op_tag {
    using type = void (service_base::*)(service_base::base_implementation_type&, int,
                                        asio::detail::reactor_op*, bool, bool, bool);
    friend type member(start_op_tag);
};

template <class Tag, typename Tag::type Member>
struct grant {
    friend typename Tag::type member(Tag) { return Member; }
};

template struct grant<impl_tag, &socket_base::impl_>;
template struct grant<start_op_tag, &service_base::start_op>;

/// The bytes the read left in the socket (a FIN counts as one), or -1 without the hint.
int left_behind(msghdr& msg) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_TCP && c->cmsg_type == TCP_CM_INQ &&
            c->cmsg_len >= CMSG_LEN(sizeof(int))) {
            int inq = 0;
            std::memcpy(&inq, CMSG_DATA(c), sizeof inq);
            return inq;
        }
    }
    return -1;
}

}  // namespace

void start(tcp::socket& socket, asio::detail::reactor_op* op, bool empty, bool is_continuation) {
    object_impl& impl = socket.*member(impl_tag{});
    service_base& svc = impl.get_service();
    // Speculation allowed: the reactor tries the read at once unless the last one exhausted
    // the socket. A zero-size read is a no-op that completes at once, as Asio's.
    (svc.*member(start_op_tag{}))(impl.get_implementation(), asio::detail::reactor::read_op, op,
                                  is_continuation, true, empty);
}

asio::detail::reactor_op::status read(asio::detail::socket_type socket, asio::mutable_buffer buffer,
                                      error_code& ec, std::size_t& n) {
    using status = asio::detail::reactor_op::status;
    iovec iov{buffer.data(), buffer.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    for (;;) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t got = ::recvmsg(socket, &msg, 0);
        if (got > 0) {
            ec = {};
            n = static_cast<std::size_t>(got);
            return left_behind(msg) == 0 ? status::done_and_exhausted : status::done;
        }
        if (got == 0) {
            ec = asio::error::eof;
            n = 0;
            return status::done;  // a read after it sees the end again at once
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return status::not_done;
        }
        ec = error_code(errno, asio::error::get_system_category());
        n = 0;
        return status::done;
    }
}

}  // namespace hadrian::core::socket_read_detail

#endif
