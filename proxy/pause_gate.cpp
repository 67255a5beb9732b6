// See pause_gate.hpp.
#include "proxy/pause_gate.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pgfront::proxy {

void PauseGate::set(PauseState state) {
    state_ = std::move(state);
    for (auto* timer : waiting_) timer->cancel();
}

boost::asio::awaitable<bool> PauseGate::wait(boost::asio::steady_timer& timer, const std::string& database) {
    const auto deadline = timer.expiry();
    while (holds(database)) {
        if (std::chrono::steady_clock::now() >= deadline) co_return false;
        waiting_.insert(&timer);
        auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        waiting_.erase(&timer);
        // Woken by set() (look again), or by the owner moving the expiry (give up).
        if (timer.expiry() != deadline) co_return false;
        if (!ec) co_return !holds(database);
    }
    co_return true;
}

}  // namespace pgfront::proxy
