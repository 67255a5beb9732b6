// Pool decisions (see pool_state.hpp).
#include "pool/pool_state.hpp"

#include <algorithm>

namespace pgfront::pool {

std::size_t PoolState::capacity(bool with_reserve) const {
    return settings_.default_pool_size + (with_reserve ? settings_.reserve_pool_size : 0);
}

bool PoolState::may_use_reserve(TimePoint now) const {
    return settings_.reserve_pool_size > 0 && !waiters_.empty() &&
           now - waiters_.front().since >= settings_.reserve_pool_timeout;
}

PoolCounts PoolState::counts() const {
    PoolCounts c;
    c.idle = idle_.size();
    c.active = active_.size();
    c.connecting = connecting_;
    c.waiting = waiters_.size();
    c.reserve_in_use = connecting_reserve_;
    for (const auto& s : idle_) c.reserve_in_use += s.reserve;
    for (const auto& s : active_) c.reserve_in_use += s.reserve;
    return c;
}

PoolState::Server* PoolState::find_active(ServerId id) {
    auto it = std::find_if(active_.begin(), active_.end(), [id](const Server& s) { return s.id == id; });
    return it == active_.end() ? nullptr : &*it;
}

// Idle servers go to waiters in arrival order; the most recently used server first, so the
// pool's warm connections stay warm and the cold ones reach server_idle_timeout.
void PoolState::serve_waiters(TimePoint now, PoolActions& actions) {
    while (!waiters_.empty() && !idle_.empty()) {
        auto server = idle_.back();
        idle_.pop_back();
        if (now - server.created >= settings_.server_lifetime) {
            actions.push_back(CloseServer{server.id, "server_lifetime"});
            continue;
        }
        actions.push_back(Grant{waiters_.front().id, server.id, check_due(server, now)});
        waiters_.pop_front();
        server.lent = true;
        active_.push_back(server);
    }
}

bool PoolState::check_due(const Server& server, TimePoint now) const {
    return server.lent && !settings_.server_check_query.empty() && now - server.idle_since >= settings_.server_check_delay;
}

void PoolState::open_for_waiters(TimePoint now, PoolActions& actions) {
    if (draining_ || (retry_after_ && now < *retry_after_)) return;
    auto total = [&] { return idle_.size() + active_.size() + connecting_; };
    while (waiters_.size() > connecting_) {
        if (total() < capacity(false)) {
            ++connecting_;
            actions.push_back(OpenServer{false});
        } else if (may_use_reserve(now) && total() < capacity(true)) {
            ++connecting_;
            ++connecting_reserve_;
            actions.push_back(OpenServer{true});
        } else {
            break;
        }
    }
}

PoolActions PoolState::request(WaiterId waiter, TimePoint now) {
    PoolActions actions;
    if (draining_) {
        actions.push_back(WaitTimedOut{waiter});
        return actions;
    }
    waiters_.push_back({waiter, now});
    serve_waiters(now, actions);
    open_for_waiters(now, actions);
    return actions;
}

std::optional<ServerId> PoolState::lend_idle(TimePoint now) {
    if (draining_ || !waiters_.empty() || idle_.empty()) return std::nullopt;
    auto& server = idle_.back();
    if (now - server.created >= settings_.server_lifetime || check_due(server, now)) return std::nullopt;
    server.lent = true;
    active_.push_back(server);
    idle_.pop_back();
    return active_.back().id;
}

PoolActions PoolState::cancel(WaiterId waiter, TimePoint) {
    std::erase_if(waiters_, [waiter](const Waiter& w) { return w.id == waiter; });
    return {};
}

PoolActions PoolState::server_connected(ServerId server, bool reserve, TimePoint now) {
    PoolActions actions;
    if (connecting_ > 0) --connecting_;
    if (reserve && connecting_reserve_ > 0) --connecting_reserve_;
    retry_after_.reset();
    if (draining_) {
        actions.push_back(CloseServer{server, "pool draining"});
        return actions;
    }
    idle_.push_back({server, now, now, reserve});
    serve_waiters(now, actions);
    return actions;
}

PoolActions PoolState::server_connect_failed(bool reserve, TimePoint now) {
    if (connecting_ > 0) --connecting_;
    if (reserve && connecting_reserve_ > 0) --connecting_reserve_;
    retry_after_ = now + settings_.server_login_retry;
    return {};
}

PoolActions PoolState::server_open_refused(bool reserve, TimePoint) {
    if (connecting_ > 0) --connecting_;
    if (reserve && connecting_reserve_ > 0) --connecting_reserve_;
    return {};
}

PoolActions PoolState::release(ServerId server, bool reusable, TimePoint now) {
    PoolActions actions;
    auto* found = find_active(server);
    if (!found) return actions;
    auto released = *found;
    std::erase_if(active_, [server](const Server& s) { return s.id == server; });
    if (!reusable) {
        actions.push_back(CloseServer{server, "not at a clean transaction boundary"});
    } else if (draining_) {
        actions.push_back(CloseServer{server, "pool draining"});
    } else if (now - released.created >= settings_.server_lifetime) {
        actions.push_back(CloseServer{server, "server_lifetime"});
    } else if (released.reserve && waiters_.empty()) {
        // Reserve servers exist for bursts; give them back as soon as the burst is over.
        actions.push_back(CloseServer{server, "reserve no longer needed"});
    } else {
        released.idle_since = now;
        idle_.push_back(released);
        serve_waiters(now, actions);
        return actions;
    }
    open_for_waiters(now, actions);
    return actions;
}

PoolActions PoolState::server_lost(ServerId server, TimePoint now) {
    PoolActions actions;
    std::erase_if(active_, [server](const Server& s) { return s.id == server; });
    std::erase_if(idle_, [server](const Server& s) { return s.id == server; });
    open_for_waiters(now, actions);
    return actions;
}

PoolActions PoolState::tick(TimePoint now) {
    PoolActions actions;
    last_tick_ = now;
    if (settings_.query_wait_timeout.count() > 0) {
        while (!waiters_.empty() && now - waiters_.front().since >= settings_.query_wait_timeout) {
            actions.push_back(WaitTimedOut{waiters_.front().id});
            waiters_.pop_front();
        }
    }
    // Oldest idle first: lifetime, then idle timeout while above min_pool_size.
    for (auto it = idle_.begin(); it != idle_.end();) {
        const bool too_old = now - it->created >= settings_.server_lifetime;
        const bool idle_too_long = now - it->idle_since >= settings_.server_idle_timeout &&
                                   idle_.size() + active_.size() + connecting_ > settings_.min_pool_size;
        if (too_old || idle_too_long) {
            actions.push_back(CloseServer{it->id, too_old ? "server_lifetime" : "server_idle_timeout"});
            it = idle_.erase(it);
        } else {
            ++it;
        }
    }
    open_for_waiters(now, actions);
    if (!draining_ && !(retry_after_ && now < *retry_after_)) {
        while (idle_.size() + active_.size() + connecting_ < std::min(settings_.min_pool_size, capacity(false))) {
            ++connecting_;
            actions.push_back(OpenServer{false, true});
        }
    }
    return actions;
}

// Deadlines the last tick saw and left alone (a reserve pool with no room, a login retry
// nobody waits for) are not asked for again, or the timer would fire in a loop.
std::optional<TimePoint> PoolState::next_deadline() const {
    std::optional<TimePoint> next;
    auto consider = [&](TimePoint t) {
        if ((!last_tick_ || t > *last_tick_) && (!next || t < *next)) next = t;
    };
    if (!waiters_.empty()) {
        if (settings_.query_wait_timeout.count() > 0) consider(waiters_.front().since + settings_.query_wait_timeout);
        if (settings_.reserve_pool_size > 0) consider(waiters_.front().since + settings_.reserve_pool_timeout);
    }
    const bool above_min = idle_.size() + active_.size() + connecting_ > settings_.min_pool_size;
    for (const auto& s : idle_) {
        consider(s.created + settings_.server_lifetime);
        if (above_min) consider(s.idle_since + settings_.server_idle_timeout);
    }
    if (retry_after_) consider(*retry_after_);
    return next;
}

PoolActions PoolState::drain(TimePoint) {
    PoolActions actions;
    draining_ = true;
    for (const auto& s : idle_) actions.push_back(CloseServer{s.id, "pool draining"});
    idle_.clear();
    for (const auto& w : waiters_) actions.push_back(WaitTimedOut{w.id});
    waiters_.clear();
    return actions;
}

PoolActions PoolState::evict_idle(TimePoint) {
    PoolActions actions;
    if (idle_.empty()) return actions;
    actions.push_back(CloseServer{idle_.front().id, "room for another pool under a shared connection limit"});
    idle_.erase(idle_.begin());
    return actions;
}

}  // namespace pgfront::pool
