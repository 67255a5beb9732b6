// A timer that runs an action when it expires, but only while it is still armed.
//
// A plain steady_timer cannot promise that: once it has expired, its handler sits in the
// event loop's queue with success, and a cancel() or the timer's destruction no longer
// changes that. A handler that captured `this` then acts on an object that may be gone by
// the time it runs (a session whose login finished in the same loop turn and was freed, a
// server connection its pool dropped). Here the handler holds only a shared flag, which
// cancel(), re-arming and the destructor clear, so a late expiry does nothing.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <utility>

namespace pgfront::net {

class GuardedDeadline {
public:
    explicit GuardedDeadline(boost::asio::any_io_executor executor) : timer_(std::move(executor)) {}
    ~GuardedDeadline() { disarm(); }
    GuardedDeadline(const GuardedDeadline&) = delete;
    GuardedDeadline& operator=(const GuardedDeadline&) = delete;

    // Runs `action` once, `after` from now, unless cancel() or another arm() comes first.
    template <typename Action>
    void arm(std::chrono::steady_clock::duration after, Action action) {
        disarm();
        armed_ = std::make_shared<bool>(true);
        timer_.expires_after(after);
        timer_.async_wait([armed = armed_, action = std::move(action)](const boost::system::error_code& ec) mutable {
            if (ec || !*armed) return;
            *armed = false;
            action();
        });
    }

    void cancel() {
        disarm();
        timer_.cancel();
    }

    bool armed() const { return armed_ && *armed_; }
    std::chrono::steady_clock::time_point expiry() const { return timer_.expiry(); }

private:
    void disarm() {
        if (armed_) *armed_ = false;
        armed_.reset();
    }

    boost::asio::steady_timer timer_;
    std::shared_ptr<bool> armed_;
};

}  // namespace pgfront::net
