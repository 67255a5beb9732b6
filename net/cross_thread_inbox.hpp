// How other threads hand work to an io_context that runs without Asio's internal locking
// (BOOST_ASIO_CONCURRENCY_HINT_UNSAFE). Such a context may only be touched by the thread that
// runs it, so asio::post from anywhere else is a data race. Work from other threads waits in a
// mutex-guarded list instead and an eventfd wakes the context to run it; the context's own
// traffic never touches that mutex.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/post.hpp>

#include <memory>
#include <type_traits>
#include <utility>

namespace pgfront::net {

namespace detail {
struct InboxItem {
    virtual ~InboxItem() = default;
    virtual void run() = 0;
    InboxItem* next = nullptr;
};
template <class Work>
struct InboxItemOf final : InboxItem {
    explicit InboxItemOf(Work w) : work(std::move(w)) {}
    void run() override { work(); }
    Work work;
};
// The list and the eventfd; outlives the context for threads that still hold it.
struct InboxQueue;
void enqueue(InboxQueue& queue, InboxItem* item);
template <class Work>
void enqueue_work(InboxQueue& queue, Work&& work) {
    enqueue(queue, new InboxItemOf<std::decay_t<Work>>(std::forward<Work>(work)));
}
}  // namespace detail

class CrossThreadInbox : public boost::asio::execution_context::service {
public:
    static inline boost::asio::execution_context::id id;

    // `owner` must be a boost::asio::io_context. Create the inbox (asio::make_service) before
    // the context runs, or on its thread: creating it registers an I/O object, which an
    // unlocked context allows only from its own thread.
    explicit CrossThreadInbox(boost::asio::execution_context& owner);
    ~CrossThreadInbox() override;

    // Thread-safe while the context exists. `work` runs on the context's thread, in the order
    // posted.
    template <class Work>
    void post(Work&& work) {
        detail::enqueue_work(*queue_, std::forward<Work>(work));
    }

    const std::shared_ptr<detail::InboxQueue>& queue() const { return queue_; }

private:
    void shutdown() override;
    void arm();
    void drain();

    std::shared_ptr<detail::InboxQueue> queue_;
    struct Waiter;
    std::unique_ptr<Waiter> waiter_;
};

// A way back to an executor's context from another thread, taken while that context is alive.
// Through the context's CrossThreadInbox when it has one, else asio::post (a locked context
// takes that from any thread). Work posted after an inboxed context shut down is never run and
// never destroyed: it may hold a coroutine whose frame refers to objects already gone.
class ReturnAddress {
public:
    explicit ReturnAddress(boost::asio::any_io_executor executor);

    template <class Work>
    void post(Work&& work) const {
        if (queue_)
            detail::enqueue_work(*queue_, std::forward<Work>(work));
        else
            boost::asio::post(executor_, std::forward<Work>(work));
    }

private:
    boost::asio::any_io_executor executor_;
    std::shared_ptr<detail::InboxQueue> queue_;
};

}  // namespace pgfront::net
