// SocketStream::write_now on a plain TCP connection over loopback: all of a small write goes
// at once, a write larger than the socket takes goes in part with the buffers advanced past
// exactly what was sent, and a connection the peer reset reports its error.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>

#include <array>
#include <string>
#include <vector>

#include "loopback_stream.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using Connection = pgfront::tls::test::LoopbackStream;

TEST_CASE("a small write goes through whole, both pieces in order") {
    Connection c;
    const std::string head = "hello, ", tail = "world";
    std::array<asio::const_buffer, 2> pieces{asio::buffer(head), asio::buffer(tail)};
    boost::system::error_code ec;
    CHECK(c.stream.write_now(pieces, ec));
    CHECK_FALSE(ec);
    std::string got(12, '\0');
    asio::read(c.peer, asio::buffer(got));
    CHECK(got == "hello, world");
}

TEST_CASE("empty pieces write nothing and count as done") {
    Connection c;
    std::array<asio::const_buffer, 2> pieces{asio::const_buffer(), asio::const_buffer()};
    boost::system::error_code ec;
    CHECK(c.stream.write_now(pieces, ec));
    CHECK_FALSE(ec);
}

TEST_CASE("more than the socket takes is written in part, the buffers advanced past it") {
    Connection c;
    c.stream.lowest_layer().set_option(asio::socket_base::send_buffer_size(4096));
    c.peer.set_option(asio::socket_base::receive_buffer_size(4096));
    std::vector<char> big(8 << 20);
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
    std::array<asio::const_buffer, 1> pieces{asio::buffer(big)};
    boost::system::error_code ec;
    CHECK_FALSE(c.stream.write_now(pieces, ec));
    CHECK_FALSE(ec);
    const std::size_t sent = big.size() - pieces[0].size();
    REQUIRE(sent > 0);
    REQUIRE(sent < big.size());
    CHECK(pieces[0].data() == big.data() + sent);
    std::vector<char> got(sent);
    asio::read(c.peer, asio::buffer(got));
    CHECK(std::equal(got.begin(), got.end(), big.begin()));
    // Nothing more than `sent` went out.
    c.peer.non_blocking(true);
    char extra;
    boost::system::error_code read_ec;
    c.peer.read_some(asio::buffer(&extra, 1), read_ec);
    CHECK(read_ec == asio::error::would_block);
}

TEST_CASE("a connection the peer reset reports the error and sends nothing") {
    Connection c;
    c.peer.set_option(asio::socket_base::linger(true, 0));
    c.peer.close();  // RST
    const std::string data = "late";
    boost::system::error_code ec;
    for (int attempt = 0; attempt < 100 && !ec; ++attempt) {  // the RST may take a moment to land
        std::array<asio::const_buffer, 1> pieces{asio::buffer(data)};
        c.stream.write_now(pieces, ec);
    }
    CHECK(ec);
}
