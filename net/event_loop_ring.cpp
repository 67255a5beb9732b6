#include "net/event_loop_ring.hpp"

#include <boost/asio/detail/config.hpp>

#include <cerrno>
#include <system_error>

#if defined(BOOST_ASIO_HAS_IO_URING)
#include <liburing.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {
// Where the next ring made on this thread is recorded; set while a ThreadBoundRing makes one.
thread_local io_uring** claimed_ring = nullptr;

int init_with(unsigned entries, io_uring* ring, unsigned flags) {
    io_uring_params params{};
    params.flags = flags;
    return io_uring_queue_init_params(entries, ring, &params);
}
}  // namespace

// The rings for Asio's io_uring backend. Asio 1.81 calls io_uring_queue_init(entries, ring, 0)
// and offers no way to pass setup flags; this definition takes the place of liburing's for the
// whole executable (Asio's calls are compiled into it) and adds them:
// - every ring runs completions cooperatively (IORING_SETUP_COOP_TASKRUN, 5.19). Without it
//   the kernel interrupts this process (an inter-processor interrupt and a signal-style kernel
//   entry) every time a socket it waits on becomes ready while it is running, only to run the
//   completion there and then. With it, the completion runs at the next io_uring_enter the
//   event loop makes anyway. TASKRUN_FLAG tells liburing's peek to enter the kernel when such
//   work is pending, so no completion is missed.
// - a ring a ThreadBoundRing asks for is single-issuer with deferred task running and starts
//   disabled (see event_loop_ring.hpp).
// Each step back is for an older kernel, which answers EINVAL to flags it does not know.
extern "C" int io_uring_queue_init(unsigned entries, struct io_uring* ring, unsigned flags) {
    const unsigned cooperative = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
    auto* const claim = claimed_ring;
    claimed_ring = nullptr;  // one ring per claim: the context's
    if (claim) {
        const int result = init_with(entries, ring,
                                     flags | cooperative | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
                                         IORING_SETUP_R_DISABLED);
        if (result == 0) *claim = ring;
        if (result != -EINVAL) return result;
    }
    const int result = init_with(entries, ring, flags | cooperative);
    if (result != -EINVAL) return result;
    return init_with(entries, ring, flags);
}

namespace pgfront::net {

ThreadBoundRing::Claim::Claim(ThreadBoundRing& ring) { claimed_ring = &ring.ring_; }
ThreadBoundRing::Claim::~Claim() { claimed_ring = nullptr; }

void ThreadBoundRing::bind_to_this_thread() {
    if (!ring_) return;
    if (::syscall(__NR_io_uring_register, ring_->ring_fd, IORING_REGISTER_ENABLE_RINGS, nullptr, 0) < 0)
        throw std::system_error(errno, std::generic_category(), "cannot enable the worker's io_uring ring");
}

unsigned ThreadBoundRing::setup_flags() const { return ring_ ? ring_->flags : 0; }

}  // namespace pgfront::net

#else

namespace pgfront::net {
ThreadBoundRing::Claim::Claim(ThreadBoundRing&) {}
ThreadBoundRing::Claim::~Claim() = default;
void ThreadBoundRing::bind_to_this_thread() {}
unsigned ThreadBoundRing::setup_flags() const { return 0; }
}  // namespace pgfront::net

#endif
