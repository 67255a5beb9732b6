// The decisions of one server pool, without any I/O: which waiting client gets which
// server, when to open or close a server connection, when a waiter has waited too long.
// Clients are served strictly first come, first served. Time is passed in.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <variant>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "pool/pool_settings.hpp"

namespace pgfront::pool {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using WaiterId = std::uint64_t;
using ServerId = std::uint64_t;

// What the I/O layer must do next, in order.
struct Grant {  // hand server `server` to waiter `waiter`
    WaiterId waiter;
    ServerId server;
    // The server sat idle for server_check_delay or longer: run server_check_query on it
    // first (and close it, not lend it, if that fails).
    bool check = false;
};
struct OpenServer {  // start connecting a new server (counted as connecting until reported)
    bool reserve;    // opened from the reserve pool
    bool warm = false;  // for min_pool_size, not for a waiting client
};
struct CloseServer {
    ServerId server;
    const char* reason;
};
struct WaitTimedOut {
    WaiterId waiter;
};
using PoolAction = std::variant<Grant, OpenServer, CloseServer, WaitTimedOut>;
// Nearly every call yields at most one or two actions (a grant, a close): no heap for those.
using PoolActions = boost::container::small_vector<PoolAction, 2>;

struct PoolCounts {
    std::size_t idle = 0;
    std::size_t active = 0;
    std::size_t connecting = 0;
    std::size_t waiting = 0;
    std::size_t reserve_in_use = 0;
    std::size_t total() const { return idle + active + connecting; }
};

class PoolState {
public:
    explicit PoolState(PoolSettings settings) : settings_(settings) {}

    // A client wants a server. It is granted an idle one at once, or waits (FIFO) while a
    // new one is opened if the pool has room.
    PoolActions request(WaiterId waiter, TimePoint now);
    // The client gave up (disconnected) before being served.
    PoolActions cancel(WaiterId waiter, TimePoint now);
    // What request() would grant at once when nobody waits: the most recently used idle
    // server, taken without queueing. Nothing when it would take more than that (someone
    // waits, nothing is idle, draining, the server is due a check or past its lifetime):
    // the caller then makes a request().
    std::optional<ServerId> lend_idle(TimePoint now);

    // Outcome of an OpenServer; `reserve` is the flag that OpenServer carried.
    PoolActions server_connected(ServerId server, bool reserve, TimePoint now);
    // New servers are not tried again before server_login_retry has passed, so a node that
    // refuses logins is not hammered; waiters keep waiting until query_wait_timeout.
    PoolActions server_connect_failed(bool reserve, TimePoint now);
    // An OpenServer that was not carried out because max_db_connections or
    // max_user_connections is reached: no retry delay, the waiters simply keep waiting (the
    // next tick() or release() asks again).
    PoolActions server_open_refused(bool reserve, TimePoint now);
    // A leased server comes back. `reusable` is false when it is not at a clean transaction
    // boundary (client vanished mid-transaction, protocol error): it is closed, never reused.
    PoolActions release(ServerId server, bool reusable, TimePoint now);
    // A leased or idle server died.
    PoolActions server_lost(ServerId server, TimePoint now);

    // Timeouts, the reserve pool, idle and lifetime closes, min_pool_size.
    PoolActions tick(TimePoint now);
    // The earliest time at which tick() may have something to do that the last tick has not
    // already looked at, if any. It may be past: a deadline that fell between the last tick's
    // `now` and the caller reading the clock again still needs a tick, at once.
    std::optional<TimePoint> next_deadline() const;

    // No new grants: idle servers close now, leased ones close when released, waiters time
    // out at once (the caller routes them to another pool).
    PoolActions drain(TimePoint now);

    // Closes the least recently used idle server (another pool of the same database or user
    // needs room under a shared connection limit). Nothing when no server is idle.
    PoolActions evict_idle(TimePoint now);

    void reconfigure(PoolSettings settings) { settings_ = settings; }
    const PoolSettings& settings() const { return settings_; }
    PoolCounts counts() const;
    bool draining() const { return draining_; }
    // Since when the longest-waiting client waits, if any waits.
    std::optional<TimePoint> oldest_wait() const {
        if (waiters_.empty()) return std::nullopt;
        return waiters_.front().since;
    }

private:
    struct Waiter {
        WaiterId id;
        TimePoint since;
    };
    struct Server {
        ServerId id;
        TimePoint created;
        TimePoint idle_since;
        bool reserve;
        bool lent = false;  // has served a client (a fresh login needs no check)
    };

    std::size_t capacity(bool with_reserve) const;
    bool may_use_reserve(TimePoint now) const;
    void serve_waiters(TimePoint now, PoolActions& actions);
    bool check_due(const Server& server, TimePoint now) const;
    void open_for_waiters(TimePoint now, PoolActions& actions);
    Server* find_active(ServerId id);

    PoolSettings settings_;
    std::deque<Waiter> waiters_;
    // Most recently used at the back. A vector: a deque around one of its block boundaries
    // freed and allocated a block on every lend and release.
    std::vector<Server> idle_;
    std::vector<Server> active_;
    std::size_t connecting_ = 0;
    std::size_t connecting_reserve_ = 0;
    std::optional<TimePoint> retry_after_;
    std::optional<TimePoint> last_tick_;  // deadlines up to here were seen by tick()
    bool draining_ = false;
};

}  // namespace pgfront::pool
