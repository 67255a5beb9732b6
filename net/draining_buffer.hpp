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
// next read can wait for epoll without trying first, and no data can be missed. The recv
// operation specialized below for this buffer type reports such a read as "done and
// exhausted", the reactor's own word for it, which it otherwise says only at end of file.
//
// End of file can be missed, though: a FIN that came in together with the data, before the
// event loop looked, shares that data's edge, and the short read does not report it. A
// server that dies mid-reply does exactly that (its FATAL ErrorResponse, or the WARNING of
// a crash restart, then its FIN), and the session would wait for the rest of the reply for
// ever. So server reads count as drained only when the data ends a reply (a ReadyForQuery):
// then pgfront writes the server its next request before it reads again, and a server that
// has gone answers that write with a reset, which raises an edge. Client reads count every
// short read: pgfront answers each request, and a client that has closed its socket answers
// that with a reset too (only a client that half-closes and waits could be missed).
//
// Where the specialization does not apply (another Boost, the io_uring backend), this is a
// plain mutable_buffer and reads behave as Asio's own.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/version.hpp>

#include <cstddef>
#include <cstdint>

#include "protocol/backend_status.hpp"

namespace pgfront::net {

// Which short reads leave the next read waiting for readiness.
enum class Draining : std::uint8_t {
    off,             // none: every read tries at once, as Asio does
    any_short_read,  // a client's
    reply_end,       // a server's: only one whose data ends with a ReadyForQuery
};

struct DrainingBuffer : boost::asio::mutable_buffer {
    DrainingBuffer(boost::asio::mutable_buffer buffer, Draining mode) : boost::asio::mutable_buffer(buffer), mode(mode) {}
    Draining mode;
};

// Whether a read of `received` bytes into `buffer` left the socket drained, as `mode` counts.
inline bool drained(Draining mode, boost::asio::mutable_buffer buffer, std::size_t received) {
    if (mode == Draining::off || received >= buffer.size()) return false;
    if (mode == Draining::any_short_read || received == 0) return true;
    return protocol::ends_with_ready_for_query(protocol::Bytes(static_cast<const std::byte*>(buffer.data()), received));
}

}  // namespace pgfront::net

#if BOOST_VERSION == 108100 && defined(BOOST_ASIO_HAS_EPOLL) && !defined(BOOST_ASIO_DISABLE_EPOLL)
#include <boost/asio/detail/reactive_socket_recv_op.hpp>

namespace boost::asio::detail {

// Asio's reactive_socket_recv_op_base for one buffer, but a stream read that drained the
// socket as the buffer's mode counts (end of file included) is done_and_exhausted.
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
          mode_(buffer.mode),
          flags_(flags) {}

    static status do_perform(reactor_op* base) {
        auto* self = static_cast<reactive_socket_recv_op_base*>(base);
        const bool stream = (self->state_ & socket_ops::stream_oriented) != 0;
        if (!socket_ops::non_blocking_recv1(self->socket_, self->buffer_.data(), self->buffer_.size(), self->flags_,
                                            stream, self->ec_, self->bytes_transferred_))
            return not_done;
        return stream && pgfront::net::drained(self->mode_, self->buffer_, self->bytes_transferred_) ? done_and_exhausted
                                                                                                  : done;
    }

private:
    socket_type socket_;
    socket_ops::state_type state_;
    boost::asio::mutable_buffer buffer_;
    pgfront::net::Draining mode_;
    socket_base::message_flags flags_;
};

}  // namespace boost::asio::detail
#endif
