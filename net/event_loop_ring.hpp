// An io_context's io_uring ring bound to the one thread that runs the context.
//
// Asio makes a context's ring together with the context's first I/O object, on whatever
// thread does that, and submits from whichever thread runs the context. A worker's context is
// built on the main thread and run on the worker's own, and only that thread ever submits
// (the context runs unlocked). Such a ring can be single-issuer with deferred task running
// (IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, Linux 6.1): the kernel keeps
// completions in a list of the ring's own and runs them in a batch when the worker next waits,
// instead of through the generic task-work machinery (about 4% less proxy CPU per transaction
// at a fixed 8,000 tps, interleaved A/B). The kernel binds such a ring to the thread that
// enables it, so the ring starts disabled and the worker thread enables it before run().
//
// With the epoll backend, or a kernel without these flags, every call here does nothing.
#pragma once

#include <utility>

struct io_uring;

namespace pgfront::net {

class ThreadBoundRing {
public:
    // Runs `make_first_io_object`, which must create the first I/O object of a context and
    // so make its ring; that ring becomes this one. Returns what the function returns.
    template <class Make>
    decltype(auto) make(Make&& make_first_io_object) {
        Claim claim(*this);
        return std::forward<Make>(make_first_io_object)();
    }

    // On the thread that will run the context, before it runs. Throws std::system_error when
    // the kernel refuses (the ring could not take any work then).
    void bind_to_this_thread();

    // The ring's setup flags (IORING_SETUP_*); 0 when no bound ring was made.
    unsigned setup_flags() const;

private:
    class Claim {
    public:
        explicit Claim(ThreadBoundRing& ring);
        ~Claim();
        Claim(const Claim&) = delete;
        Claim& operator=(const Claim&) = delete;
    };

    io_uring* ring_ = nullptr;
};

}  // namespace pgfront::net
