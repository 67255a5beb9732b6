// The idle timeouts of one worker's pooled clients, enforced by a periodic sweep (PgBouncer's
// janitor does the same) rather than a timer per client: an idle client costs a timestamp,
// not a timer, and the relay loop never cancels a socket wait. Worker thread only.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <unordered_set>

#include "proxy/client_idle.hpp"

namespace pgfront::proxy {

class PooledSession;

class IdleSweeper {
  public:
    explicit IdleSweeper(boost::asio::any_io_executor executor) : timer_(executor) {}

    // From the config, at start and on reload.
    void configure(const IdleTimeouts& timeouts);

    // Sessions that have finished their login. expire_idle() never removes a session from
    // here synchronously (it only wakes the session), so a sweep can iterate in place.
    void add(PooledSession* session);
    void remove(PooledSession* session) { sessions_.erase(session); }

  private:
    void arm();
    void sweep();

    IdleTimeouts timeouts_;
    std::unordered_set<PooledSession*> sessions_;
    boost::asio::steady_timer timer_;
    bool armed_ = false;
};

// Registers a session with the sweeper for as long as it lives.
class IdleWatch {
  public:
    IdleWatch(IdleSweeper& sweeper, PooledSession& session) : sweeper_(sweeper), session_(session) {
        sweeper_.add(&session_);
    }
    ~IdleWatch() { sweeper_.remove(&session_); }
    IdleWatch(const IdleWatch&) = delete;
    IdleWatch& operator=(const IdleWatch&) = delete;

  private:
    IdleSweeper& sweeper_;
    PooledSession& session_;
};

}  // namespace pgfront::proxy
