// app/io_uring_setup.cpp: the rings Asio makes ask for cooperative task running when the
// kernel has it (5.19 and later), and still open on a kernel that does not.
#include <doctest/doctest.h>

#if defined(PGFRONT_IO_URING)
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
