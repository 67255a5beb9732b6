// A read buffer whose short read tells Asio's epoll reactor that the socket is drained.
//
// Why: Asio 1.81's epoll reactor tries every read at once (a "speculative" recv) unless the
// socket's last read hit end of file. pgfront reads a server right after sending it a
// request, and a client right after sending it its answer, before either can have replied,
// so that recv fails with EAGAIN: wasted system calls PgBouncer does not make. Measured with
// pgbench -S, 50 clients, pool of 20: recvfrom per transaction 3.57 -> 2.6 for server reads,
// then 2.9 -> 2.0 (PgBouncer's count) for pooled client reads too; CPU per transaction a few
// percent lower (tls/socket_stream.hpp says who reads this way).
//
// The reactor registers sockets edge-triggered and re-enables the at-once attempt on every
// readiness edge it sees, and data arriving after a read always raises a new edge. So after
// a read that returned less than it asked for (the socket was empty at that moment), the
// next read can wait for epoll without trying first, and none can be missed. The recv
// operation specialized below for this buffer type reports such a read as "done and
// exhausted", the reactor's own word for it, which it otherwise says only at end of file.
//
// Where the specialization does not apply (another Boost, the io_uring backend), this is a
// plain mutable_buffer and reads behave as Asio's own.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/version.hpp>

#include <cstddef>

namespace pgfront::net {

struct DrainingBuffer : boost::asio::mutable_buffer {
    DrainingBuffer(void* data, std::size_t size) : boost::asio::mutable_buffer(data, size) {}
    explicit DrainingBuffer(boost::asio::mutable_buffer buffer) : boost::asio::mutable_buffer(buffer) {}
};

}  // namespace pgfront::net

#if BOOST_VERSION == 108100 && defined(BOOST_ASIO_HAS_EPOLL) && !defined(BOOST_ASIO_DISABLE_EPOLL)
#include <boost/asio/detail/reactive_socket_recv_op.hpp>

namespace boost::asio::detail {

// Asio's reactive_socket_recv_op_base for one buffer, but a stream read that returned less
// than the buffer holds (end of file included) is done_and_exhausted.
template <>
class reactive_socket_recv_op_base<pgfront::net::DrainingBuffer> : public reactor_op {
public:
    reactive_socket_recv_op_base(const boost::system::error_code& success_ec, socket_type socket,
                                 socket_ops::state_type state, const pgfront::net::DrainingBuffer& buffer,
                                 socket_base::message_flags flags, func_type complete_func)
        : reactor_op(success_ec, &reactive_socket_recv_op_base::do_perform, complete_func),
          socket_(socket),
          state_(state),
          buffer_(buffer),
          flags_(flags) {}

    static status do_perform(reactor_op* base) {
        auto* self = static_cast<reactive_socket_recv_op_base*>(base);
        const bool stream = (self->state_ & socket_ops::stream_oriented) != 0;
        if (!socket_ops::non_blocking_recv1(self->socket_, self->buffer_.data(), self->buffer_.size(), self->flags_,
                                            stream, self->ec_, self->bytes_transferred_))
            return not_done;
        return stream && self->bytes_transferred_ < self->buffer_.size() ? done_and_exhausted : done;
    }

private:
    socket_type socket_;
    socket_ops::state_type state_;
    boost::asio::mutable_buffer buffer_;
    socket_base::message_flags flags_;
};

}  // namespace boost::asio::detail
#endif
