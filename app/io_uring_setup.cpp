// Rings for Asio's io_uring backend, made with cooperative task running.
//
// Asio 1.81 creates its ring with io_uring_queue_init(entries, ring, 0) and offers no way to
// pass setup flags. Without IORING_SETUP_COOP_TASKRUN the kernel interrupts this process (an
// inter-processor interrupt and a signal-style kernel entry) every time a socket it waits on
// becomes ready while it is running, only to run the completion there and then. With it, the
// completion runs at the next io_uring_enter the event loop makes anyway. TASKRUN_FLAG tells
// liburing's peek to enter the kernel when such work is pending, so no completion is missed.
//
// This definition takes the place of liburing's for the whole executable (Asio's calls are
// compiled into it); liburing's own io_uring_queue_init_params does the work.
#include <liburing.h>

#include <cerrno>

extern "C" int io_uring_queue_init(unsigned entries, struct io_uring* ring, unsigned flags) {
    io_uring_params params{};
    params.flags = flags | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
    int result = io_uring_queue_init_params(entries, ring, &params);
    if (result == -EINVAL) {  // a kernel before 5.19
        params = io_uring_params{};
        params.flags = flags;
        result = io_uring_queue_init_params(entries, ring, &params);
    }
    return result;
}
