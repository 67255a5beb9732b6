// net/event_loop_ring.cpp: the rings Asio makes ask for cooperative task running when the
// kernel has it (5.19 and later), and still open on a kernel that does not.
#include <doctest/doctest.h>

#if defined(BOOST_ASIO_HAS_IO_URING)
#include <liburing.h>

namespace {

// Whether this kernel accepts `flags` at all, asked without going through pgfront's override.
bool kernel_accepts(unsigned flags) {
    io_uring ring{};
    io_uring_params params{};
    params.flags = flags;
    if (io_uring_queue_init_params(4, &ring, &params) < 0) return false;
    io_uring_queue_exit(&ring);
    return true;
}

}  // namespace

TEST_CASE("io_uring_queue_init: Asio's rings run completions cooperatively") {
    io_uring ring{};
    REQUIRE(io_uring_queue_init(8, &ring, 0) == 0);
    const unsigned wanted = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
    if (kernel_accepts(wanted)) {
        CHECK((ring.flags & wanted) == wanted);
    } else {
        MESSAGE("this kernel has no IORING_SETUP_COOP_TASKRUN: the plain ring is used");
        CHECK((ring.flags & wanted) == 0);
    }
    io_uring_queue_exit(&ring);
}

TEST_CASE("io_uring_queue_init: the caller's own flags are kept") {
    io_uring ring{};
    REQUIRE(io_uring_queue_init(8, &ring, IORING_SETUP_CLAMP) == 0);
    CHECK((ring.flags & IORING_SETUP_CLAMP) != 0);
    io_uring_queue_exit(&ring);
}
#endif

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>

#include <memory>
#include <thread>
#include <unistd.h>

#include "net/event_loop_ring.hpp"

#if defined(BOOST_ASIO_HAS_IO_URING)
namespace {
// Keeps the descriptor alive exactly as long as its context.
struct Holder : boost::asio::execution_context::service {
    static inline boost::asio::execution_context::id id;
    explicit Holder(boost::asio::execution_context& owner) : service(owner), context(static_cast<boost::asio::io_context&>(owner)) {}
    boost::asio::posix::stream_descriptor& make(int fd) {
        descriptor = std::make_unique<boost::asio::posix::stream_descriptor>(context, fd);
        return *descriptor;
    }
    void shutdown() override { descriptor.reset(); }
    boost::asio::io_context& context;
    std::unique_ptr<boost::asio::posix::stream_descriptor> descriptor;
};
}  // namespace

TEST_CASE("a thread-bound ring is single-issuer with deferred task running, and works on the thread that binds it") {
    namespace asio = boost::asio;
    const unsigned bound = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    asio::io_context context{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE};
    pgfront::net::ThreadBoundRing ring;
    // Made on this thread, as a worker's context is made on the main thread.
    auto& reader = ring.make(
        [&]() -> asio::posix::stream_descriptor& { return asio::use_service<Holder>(context).make(pipe_fds[0]); });
    if (kernel_accepts(bound | IORING_SETUP_R_DISABLED)) {
        CHECK((ring.setup_flags() & bound) == bound);
    } else {
        MESSAGE("this kernel has no IORING_SETUP_DEFER_TASKRUN: the context keeps an ordinary ring");
        CHECK(ring.setup_flags() == 0);
    }
    // Rings made later on this thread are ordinary ones.
    asio::io_context other;
    asio::posix::stream_descriptor unrelated(other, ::dup(pipe_fds[1]));
    char byte = 0;
    std::size_t got = 0;
    std::thread runner([&] {
        ring.bind_to_this_thread();
        asio::async_read(reader, asio::buffer(&byte, 1), [&](boost::system::error_code ec, std::size_t n) {
            if (!ec) got = n;
        });
        context.run_for(std::chrono::seconds(10));
    });
    REQUIRE(::write(pipe_fds[1], "x", 1) == 1);
    runner.join();
    CHECK(got == 1);
    CHECK(byte == 'x');
    ::close(pipe_fds[1]);
}
#endif
