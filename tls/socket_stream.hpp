// A TCP connection that may have been upgraded to TLS: the one stream type sessions and
// server connections read and write, whatever the connection turned out to be. The plain
// path costs one branch per I/O call; TLS state is allocated only when a handshake starts.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

#include "net/draining_buffer.hpp"
#include "net/operation_memory.hpp"

namespace pgfront::tls {

class SocketStream {
  public:
    using executor_type = boost::asio::any_io_executor;
    using lowest_layer_type = boost::asio::ip::tcp::socket;

    explicit SocketStream(lowest_layer_type socket);
    explicit SocketStream(const executor_type& executor);
    ~SocketStream();
    // The TLS layer refers to the socket inside this object: it stays where it was made.
    SocketStream(const SocketStream&) = delete;
    SocketStream& operator=(const SocketStream&) = delete;

    executor_type get_executor() { return socket_.get_executor(); }
    lowest_layer_type& lowest_layer() { return socket_; }
    const lowest_layer_type& lowest_layer() const { return socket_; }
    bool is_open() const { return socket_.is_open(); }
    // Closes the TCP connection without a TLS close_notify (libpq does not wait for one).
    void close(boost::system::error_code& ec) { socket_.close(ec); }
    void shutdown(lowest_layer_type::shutdown_type what, boost::system::error_code& ec) {
        socket_.shutdown(what, ec);
    }
    // Closes and starts over with a fresh, unconnected, plain socket.
    void reset();

    bool encrypted() const { return tls_ != nullptr; }

    template <typename MutableBufferSequence, typename Token>
    auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto&& handler, const MutableBufferSequence& b) {
                if (tls_)
                    tls_->stream.async_read_some(b, std::forward<decltype(handler)>(handler));
                else if constexpr (std::is_same_v<MutableBufferSequence, boost::asio::mutable_buffer>) {
                    if (draining_ != net::Draining::off)
                        read_plain(net::DrainingBuffer(b, draining_), std::forward<decltype(handler)>(handler));
                    else
                        read_plain(b, std::forward<decltype(handler)>(handler));
                } else
                    read_plain(b, std::forward<decltype(handler)>(handler));
            },
            token, buffers);
    }

    // After a plain read that left the socket empty, the next read waits for readiness
    // instead of trying at once (net/draining_buffer.hpp). Right where pgfront reads a peer
    // just after sending it something the peer must answer first: a server after a request
    // (Draining::reply_end), a client after its answer (Draining::any_short_read), in pooled
    // and pass-through sessions. Off by default, as for the admin console, whose reads have
    // no such rhythm.
    void set_draining_reads(net::Draining mode) { draining_ = mode; }
    net::Draining draining_reads() const { return draining_; }

    template <typename ConstBufferSequence, typename Token>
    auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto&& handler, const ConstBufferSequence& b) {
                if (tls_)
                    tls_->stream.async_write_some(b, std::forward<decltype(handler)>(handler));
                else
                    socket_.async_write_some(
                        b, boost::asio::bind_allocator(net::OperationAllocator<void>{},
                                                       std::forward<decltype(handler)>(handler)));
            },
            token, buffers);
    }

    // Writes what a plain connection's socket takes at once, without waiting, and advances
    // `buffers` past it; true when nothing is left. A TLS connection writes nothing here. The
    // caller awaits async_write for the rest, and must have no other write in flight.
    // Why: Asio's own first attempt writes just as eagerly, but then resumes the coroutine
    // through the event loop; a session's write nearly always goes through whole.
    bool write_now(std::span<boost::asio::const_buffer> buffers, boost::system::error_code& ec);

    // pgfront as the TLS server (the client leg). The context stays alive with the stream,
    // so a reload that swaps contexts does not touch connections made with the old one.
    boost::asio::awaitable<boost::system::error_code> handshake_as_server(
        std::shared_ptr<boost::asio::ssl::context> context);
    // pgfront as the TLS client (the server leg). SNI is sent for host names; with
    // `verify_host` the certificate must name `host` (a DNS name or an IP address).
    boost::asio::awaitable<boost::system::error_code> handshake_as_client(
        std::shared_ptr<boost::asio::ssl::context> context, const std::string& host,
        bool verify_host);

    // Why a handshake failed, in words: OpenSSL's reason and, when the peer's certificate
    // was refused, the certificate check's reason.
    std::string describe_failure(const boost::system::error_code& ec) const;
    // The Common Name of the peer's verified certificate, if it sent one.
    std::optional<std::string> peer_common_name() const;
    // "TLSv1.3 TLS_AES_256_GCM_SHA384", or "plain".
    std::string describe_session() const;

  private:
    struct Tls {
        Tls(lowest_layer_type& socket, std::shared_ptr<boost::asio::ssl::context> c)
            : context(std::move(c)), stream(socket, *context) {}
        std::shared_ptr<boost::asio::ssl::context> context;  // outlives the stream (declared first)
        boost::asio::ssl::stream<lowest_layer_type&> stream;
    };

    template <typename MutableBufferSequence, typename Handler>
    void read_plain(const MutableBufferSequence& buffers, Handler&& handler) {
        socket_.async_read_some(buffers, boost::asio::bind_allocator(net::OperationAllocator<void>{},
                                                                     std::forward<Handler>(handler)));
    }

    lowest_layer_type socket_;
    std::unique_ptr<Tls> tls_;
    net::Draining draining_ = net::Draining::off;
};

}  // namespace pgfront::tls
