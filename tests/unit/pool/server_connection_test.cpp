// How a server connection sets up its socket, before it connects (no I/O here).
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include "pool/server_connection.hpp"

using pgfront::pool::ServerConnection;

TEST_CASE("a server connection reads its server with draining reads") {
    // pgfront reads a server right after sending it a request: the reactor's at-once recv
    // would fail, so server sockets skip it after a read that emptied the socket
    // (net/draining_buffer.hpp). A SocketStream tries at once unless told otherwise.
    boost::asio::io_context io;
    ServerConnection server(io.get_executor(), 1, "node1", {"127.0.0.1", 5432});
    CHECK(server.socket().draining_reads() == pgfront::net::Draining::reply_end);
    CHECK(pgfront::tls::SocketStream(io.get_executor()).draining_reads() == pgfront::net::Draining::off);
}
