#include "net/cross_thread_inbox.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <system_error>

namespace pgfront::net {
namespace asio = boost::asio;

namespace detail {

struct InboxQueue {
    InboxQueue() : eventfd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
        if (eventfd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    }
    ~InboxQueue() {
        for (auto* item = head; item;) {
            auto* next = item->next;
            delete item;
            item = next;
        }
        ::close(eventfd);
    }

    void wake() const {
        const std::uint64_t one = 1;
        // EAGAIN only when the counter is saturated, which still means "readable".
        [[maybe_unused]] auto written = ::write(eventfd, &one, sizeof one);
    }

    std::mutex mutex;
    InboxItem* head = nullptr;
    InboxItem* tail = nullptr;
    bool closed = false;
    const int eventfd;
};

void enqueue(InboxQueue& queue, InboxItem* item) {
    bool was_empty;
    {
        std::lock_guard lock(queue.mutex);
        if (queue.closed) return;  // leaked on purpose, see ReturnAddress
        was_empty = queue.head == nullptr;
        if (queue.tail)
            queue.tail->next = item;
        else
            queue.head = item;
        queue.tail = item;
    }
    // A non-empty list already has a wake pending: the context reads the eventfd before it
    // takes the list, so whatever joins the list meanwhile is taken with it.
    if (was_empty) queue.wake();
}

}  // namespace detail

struct CrossThreadInbox::Waiter {
    explicit Waiter(asio::io_context& context, int fd) : descriptor(context, ::dup(fd)) {}
    asio::posix::stream_descriptor descriptor;
};

CrossThreadInbox::CrossThreadInbox(asio::execution_context& owner)
    : asio::execution_context::service(owner), queue_(std::make_shared<detail::InboxQueue>()) {
    waiter_ = std::make_unique<Waiter>(static_cast<asio::io_context&>(owner), queue_->eventfd);
    arm();
}

CrossThreadInbox::~CrossThreadInbox() = default;

void CrossThreadInbox::arm() {
    waiter_->descriptor.async_wait(asio::posix::stream_descriptor::wait_read,
                                   [this](const boost::system::error_code& ec) {
                                       if (!ec) drain();
                                   });
}

void CrossThreadInbox::drain() {
    std::uint64_t count;
    [[maybe_unused]] auto got = ::read(queue_->eventfd, &count, sizeof count);
    detail::InboxItem* items;
    {
        std::lock_guard lock(queue_->mutex);
        items = queue_->head;
        queue_->head = queue_->tail = nullptr;
    }
    arm();
    while (items) {
        std::unique_ptr<detail::InboxItem> item(items);
        items = items->next;
        try {
            item->run();
        } catch (...) {
            // Put the rest back in front so it still runs, then let run() report the error.
            if (items) {
                std::lock_guard lock(queue_->mutex);
                auto* last = items;
                while (last->next) last = last->next;
                last->next = queue_->head;
                if (!queue_->head) queue_->tail = last;
                queue_->head = items;
                queue_->wake();
            }
            throw;
        }
    }
}

void CrossThreadInbox::shutdown() {
    detail::InboxItem* items;
    {
        std::lock_guard lock(queue_->mutex);
        queue_->closed = true;
        items = queue_->head;
        queue_->head = queue_->tail = nullptr;
    }
    // Like the handlers Asio destroys at shutdown: they belong to this context.
    while (items) {
        auto* next = items->next;
        delete items;
        items = next;
    }
    boost::system::error_code ignored;
    waiter_->descriptor.close(ignored);
}

ReturnAddress::ReturnAddress(asio::any_io_executor executor) : executor_(std::move(executor)) {
    auto& context = asio::query(executor_, asio::execution::context);
    if (asio::has_service<CrossThreadInbox>(context)) queue_ = asio::use_service<CrossThreadInbox>(context).queue();
}

}  // namespace pgfront::net
