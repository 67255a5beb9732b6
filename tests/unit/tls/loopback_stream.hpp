// Shared by the tls unit tests: a plain SocketStream connected over loopback to a peer socket,
// both on one io_context that the test runs itself.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "tls/socket_stream.hpp"

namespace pgfront::tls::test {

struct LoopbackStream {
    boost::asio::io_context context;
    boost::asio::ip::tcp::socket peer{context};
    SocketStream stream{context.get_executor()};

    LoopbackStream() {
        using boost::asio::ip::tcp;
        tcp::acceptor acceptor(context, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
        stream.lowest_layer().connect(acceptor.local_endpoint());
        acceptor.accept(peer);
    }
};

}  // namespace pgfront::tls::test
