// Idle client sweep (see idle_sweeper.hpp).
#include "proxy/idle_sweeper.hpp"

#include "proxy/pooled_session.hpp"

namespace pgfront::proxy {

void IdleSweeper::configure(const IdleTimeouts& timeouts) {
    timeouts_ = timeouts;
    if (armed_) {
        timer_.cancel();  // re-armed below with the new interval
        armed_ = false;
    }
    arm();
}

void IdleSweeper::add(PooledSession* session) {
    sessions_.insert(session);
    arm();
}

void IdleSweeper::arm() {
    if (armed_ || !timeouts_.any() || sessions_.empty()) return;
    armed_ = true;
    timer_.expires_after(idle_sweep_interval(timeouts_));
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        armed_ = false;
        sweep();
        arm();
    });
}

void IdleSweeper::sweep() {
    const auto now = PooledSession::Clock::now();
    for (auto* session : sessions_) {
        const auto [wait, since] = session->idle_wait();
        const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - since);
        if (const auto expiry = idle_expiry(wait, waited, timeouts_)) session->expire_idle(*expiry);
    }
}

}  // namespace pgfront::proxy
