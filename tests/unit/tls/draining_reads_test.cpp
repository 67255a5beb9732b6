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

struct Connection : pgfront::tls::test::LoopbackStream {
    std::array<char, 64> area{};

    Connection() { stream.set_draining_reads(true); }

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
