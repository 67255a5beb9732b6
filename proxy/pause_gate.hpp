// PAUSE on one worker: which databases (or all) hold new work, and the sessions waiting for a
// RESUME. Single-threaded: the worker's loop owns it; ProxyServer posts new states to it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <set>
#include <string>
#include <unordered_set>

namespace pgfront::proxy {

struct PauseState {
    bool all = false;
    std::set<std::string> databases;

    bool holds(const std::string& database) const { return all || databases.contains(database); }
    bool empty() const { return !all && databases.empty(); }
};

class PauseGate {
public:
    bool holds(const std::string& database) const { return !state_.empty() && state_.holds(database); }
    const PauseState& state() const { return state_; }

    // A resume wakes every waiter; they look again (another database may still be paused).
    void set(PauseState state);

    // Waits on `timer` until `database` is no longer held or the timer's expiry passes. The
    // timer's owner ends the wait early by moving its expiry (e.g. to time_point::min() when
    // the client is being closed). True when free to go.
    boost::asio::awaitable<bool> wait(boost::asio::steady_timer& timer, const std::string& database);

private:
    PauseState state_;
    std::unordered_set<boost::asio::steady_timer*> waiting_;
};

}  // namespace pgfront::proxy
