// Why pgfront's event loop is epoll and not io_uring (see cmake/IoBackend.cmake): with Asio
// 1.81's io_uring backend, a socket closed while a read is in flight hands its bookkeeping,
// read still queued, to the next socket made; that socket usually gets the same descriptor
// number too. The old read then takes the new socket's bytes (a session's stream loses data
// to a dead one, a server login waits for a reply that was stolen) and the new socket's own
// reads never complete. Sessions close sockets with reads in flight all the time (a node
// losing its role, a login deadline, a killed client), so this must hold on the backend the
// proxy is built with.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace asio = boost::asio;
using asio::local::stream_protocol;

TEST_CASE("a socket closed with a read in flight never takes the data of the socket made after it") {
    asio::io_context context{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE};  // as the workers run
    stream_protocol::socket old_socket(context), old_peer(context);
    asio::local::connect_pair(old_socket, old_peer);
    char old_buffer[16];
    std::optional<boost::system::error_code> old_read;
    old_socket.async_read_some(asio::buffer(old_buffer),
                               [&](boost::system::error_code ec, std::size_t) { old_read = ec; });
    context.poll();  // the read is started and waits
    old_socket.close();

    stream_protocol::socket new_socket(context), new_peer(context);
    asio::local::connect_pair(new_socket, new_peer);
    char new_buffer[16];
    std::optional<std::string> new_read;
    new_socket.async_read_some(asio::buffer(new_buffer), [&](boost::system::error_code ec, std::size_t n) {
        if (!ec) new_read = std::string(new_buffer, n);
    });
    asio::write(new_peer, asio::buffer(std::string("hello")));
    context.run_for(std::chrono::seconds(2));

    REQUIRE(old_read);
    CHECK(*old_read == asio::error::operation_aborted);
    REQUIRE(new_read);
    CHECK(*new_read == "hello");
}
