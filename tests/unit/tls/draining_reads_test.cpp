// Reads on a plain SocketStream with draining reads on (as for servers and clients): after a
// short read the reactor skips its at-once recv for the next read (net/draining_buffer.hpp),
// so these check that no data is ever missed for it: data written later, data written
// between one read's completion and the next read, data beyond a read that filled its
// buffer, and end of file.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "loopback_stream.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

using pgfront::net::Draining;

struct Connection : pgfront::tls::test::LoopbackStream {
    std::array<char, 64> area{};

    explicit Connection(Draining mode = Draining::any_short_read) { stream.set_draining_reads(mode); }

    struct Read {
        boost::system::error_code ec;
        std::string data;
    };

    // One async_read_some of up to `size` bytes, run until it completes (bounded in time).
    std::optional<Read> read(std::size_t size, std::function<void()> after_start = {}) {
        std::optional<Read> result;
        stream.async_read_some(asio::buffer(area.data(), size), [&](boost::system::error_code ec, std::size_t n) {
            result = Read{ec, std::string(area.data(), n)};
        });
        if (after_start) after_start();
        context.restart();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!result && std::chrono::steady_clock::now() < deadline) context.run_for(std::chrono::milliseconds(10));
        return result;
    }
};

}  // namespace

TEST_CASE("data written after a short read reaches the next read") {
    Connection c;
    asio::write(c.peer, asio::buffer(std::string("abc")));
    auto first = c.read(64);
    REQUIRE(first);
    CHECK(first->data == "abc");
    // The socket was empty after that read: the next one waits for readiness instead of
    // trying at once, and the peer writes only after it started.
    auto second = c.read(64, [&] { asio::write(c.peer, asio::buffer(std::string("defg"))); });
    REQUIRE(second);
    CHECK_FALSE(second->ec);
    CHECK(second->data == "defg");
}

TEST_CASE("data written between a short read and the next read is not missed") {
    Connection c;
    asio::write(c.peer, asio::buffer(std::string("x")));
    auto first = c.read(64);
    REQUIRE(first);
    CHECK(first->data == "x");
    // Arrives while no read is pending: its readiness edge comes with no operation queued.
    asio::write(c.peer, asio::buffer(std::string("between")));
    c.context.restart();
    c.context.poll();
    auto second = c.read(64);
    REQUIRE(second);
    CHECK(second->data == "between");
    // And with the edge not yet seen by the event loop at all.
    asio::write(c.peer, asio::buffer(std::string("unseen")));
    auto third = c.read(64);
    REQUIRE(third);
    CHECK(third->data == "unseen");
}

TEST_CASE("a read that fills its buffer leaves the rest for the next read at once") {
    Connection c;
    asio::write(c.peer, asio::buffer(std::string("0123456789")));
    auto first = c.read(4);
    REQUIRE(first);
    CHECK(first->data == "0123");
    auto second = c.read(4);
    REQUIRE(second);
    CHECK(second->data == "4567");
    auto third = c.read(4);
    REQUIRE(third);
    CHECK(third->data == "89");
}

TEST_CASE("end of file after a short read is reported") {
    Connection c;
    asio::write(c.peer, asio::buffer(std::string("last")));
    auto first = c.read(64);
    REQUIRE(first);
    CHECK(first->data == "last");
    auto second = c.read(64, [&] { c.peer.shutdown(tcp::socket::shutdown_send); });
    REQUIRE(second);
    CHECK(second->ec == asio::error::eof);
}

TEST_CASE("a server's end of file that arrived with its last words is reported") {
    // A server that dies sends its last words (a FATAL ErrorResponse, a crash WARNING) and its
    // FIN back to back: both are in before the event loop looks, under one readiness edge.
    // Counting any short read as drained, the next read would wait for an edge that never
    // comes; server reads count only a short read that ends a reply.
    Connection c(Draining::reply_end);
    // The read waits for readiness before both arrive, as a session waits for a reply.
    auto first = c.read(64, [&] {
        asio::write(c.peer, asio::buffer(std::string("last words")));
        c.peer.shutdown(tcp::socket::shutdown_send);
    });
    REQUIRE(first);
    CHECK(first->data == "last words");
    auto second = c.read(64);
    REQUIRE(second);
    CHECK(second->ec == asio::error::eof);
}

TEST_CASE("server reads drain after a reply's ReadyForQuery and still miss nothing") {
    const std::string reply = std::string("C\0\0\0\x0dSELECT 1\0Z\0\0\0\x05I", 20);
    Connection c(Draining::reply_end);
    for (int i = 0; i < 50; ++i) {
        auto got = c.read(64, [&] { asio::write(c.peer, asio::buffer(reply)); });
        REQUIRE(got);
        REQUIRE_FALSE(got->ec);
        CHECK(got->data == reply);
    }
    auto end = c.read(64, [&] { c.peer.shutdown(tcp::socket::shutdown_send); });
    REQUIRE(end);
    CHECK(end->ec == asio::error::eof);
}

TEST_CASE("which short reads count as draining the socket") {
    using pgfront::net::drained;
    std::array<char, 16> area{};
    const auto buffer = asio::buffer(area);
    const std::string rfq("Z\0\0\0\x05T", 6);
    std::copy(rfq.begin(), rfq.end(), area.begin() + 2);  // a read of 8 bytes ends with it
    CHECK_FALSE(drained(Draining::off, buffer, 3));
    CHECK(drained(Draining::any_short_read, buffer, 3));
    CHECK_FALSE(drained(Draining::any_short_read, buffer, area.size()));  // full: more may wait
    CHECK(drained(Draining::reply_end, buffer, 8));
    CHECK_FALSE(drained(Draining::reply_end, buffer, 7));
    CHECK_FALSE(drained(Draining::reply_end, buffer, 9));
    CHECK(drained(Draining::reply_end, buffer, 0));  // end of file
}

TEST_CASE("many short exchanges in a row all arrive in order") {
    Connection c;
    for (int i = 0; i < 200; ++i) {
        const std::string message = "m" + std::to_string(i);
        auto got = c.read(64, [&] { asio::write(c.peer, asio::buffer(message)); });
        REQUIRE(got);
        REQUIRE_FALSE(got->ec);
        CHECK(got->data == message);
    }
}
