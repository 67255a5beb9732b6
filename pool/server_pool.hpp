// One pool of logged-in server connections for a (node, database, user), on one worker's
// event loop: it carries out PoolState's decisions (open, grant, close, time out) and hands
// leases to client sessions. Single-threaded: only its worker touches it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/container/flat_map.hpp>

#include <chrono>
#include <memory>
#include <memory_resource>
#include <optional>
#include <string>
#include <unordered_map>

#include "pool/connection_quota.hpp"
#include "pool/pool_state.hpp"
#include "pool/pool_stats.hpp"
#include "pool/server_connection.hpp"

namespace pgfront::pool {

struct Lease {
    std::unique_ptr<ServerConnection> server;  // null when failure is set
    std::optional<LoginFailure> failure;
};

// The shared limits a pool's servers count against (null: no limit of that kind).
struct PoolQuotas {
    std::shared_ptr<ConnectionQuota> database;
    std::shared_ptr<ConnectionQuota> user;
};

// A client let in without a password (an hba trust rule) brings no credentials: its login
// keeps those `known` to the pool (or to the drained pool it replaces), the only ones that
// can log in to the server.
void keep_credentials(ServerLogin& login, const ServerLogin& known);

class ServerPool {
public:
    using IdleServers = boost::container::flat_map<ServerId, std::unique_ptr<ServerConnection>>;

    ServerPool(boost::asio::any_io_executor executor, std::string node, conf::Endpoint endpoint,
               PoolSettings settings, ServerLogin login, std::chrono::milliseconds connect_timeout,
               PoolQuotas quotas = {});
    ~ServerPool();

    // A logged-in server at a transaction boundary, first come first served, or a failure
    // after query_wait_timeout / a login the server refused. `asked`: when the client asked
    // (the caller has just read the clock; one clock read fewer per transaction).
    boost::asio::awaitable<Lease> acquire(Clock::time_point asked);
    // An idle server when one can be lent at once (the usual case while servers are idle and
    // nobody waits), without the coroutine frames of acquire(); null: call acquire(). `now`:
    // when the client asked (the caller has just read the clock).
    std::unique_ptr<ServerConnection> lend_idle(Clock::time_point now);
    // Gives a server back; `reusable` only when it is idle at a clean boundary. `now`: the
    // caller's clock reading, taken just before.
    void release(std::unique_ptr<ServerConnection> server, bool reusable, Clock::time_point now);

    // Every client's login hands the pool its own, so that the next server logins use the
    // newest credentials (a later client's SCRAM keys) and TLS contexts; see keep_credentials().
    void update_login(ServerLogin login);
    const ServerLogin& login() const { return login_; }
    void drain();
    // New settings (a reload): min_pool_size and the rest apply from now on.
    void reconfigure(PoolSettings settings);

    // Shared connection limits (max_db_connections / max_user_connections), driven by the
    // registry's periodic check. A pool is starved when clients wait and a shared limit
    // refused it a connection; retry_open() asks again. A pool with idle servers and no
    // waiters gives one up when a quota it shares is starved.
    bool starved() const { return starved_; }
    bool limited() const;
    void retry_open();
    bool evict_idle_for_starved_quota();

    // Traffic counters, kept by the registry per pool key so they outlive a drained pool.
    void attach_stats(PoolStats& stats) { stats_ = &stats; }
    PoolStats& stats() { return *stats_; }
    const IdleServers& idle_servers() const { return idle_; }
    std::optional<Clock::time_point> oldest_wait() const { return state_.oldest_wait(); }

    const std::string& node() const { return node_; }
    bool draining() const { return state_.draining(); }
    PoolCounts counts() const { return state_.counts(); }
    // No server, no client in line, and no answered waiter still to resume inside acquire():
    // the pool may be destroyed.
    bool unused() const {
        const auto c = counts();
        return c.total() == 0 && c.waiting == 0 && waiters_.empty();
    }
    // ParameterStatus values of the last server that logged in (a client's welcome).
    const std::optional<Parameters>& server_parameters() const { return parameters_; }

private:
    struct Waiter;

    void carry_out(PoolActions actions);
    boost::asio::awaitable<void> open_server(bool reserve, QuotaTokens tokens);
    void arm_tick();
    void set_starved(bool starved);

    boost::asio::any_io_executor executor_;
    std::string node_;
    conf::Endpoint endpoint_;
    PoolState state_;
    ServerLogin login_;
    std::chrono::milliseconds connect_timeout_;
    // Only clients that really wait are here (lend_idle() serves the others). Hashed: they are
    // served oldest first, which in a sorted flat map moved every later entry each time
    // (hundreds per transaction with 400 clients on a pool of 20). The nodes come from a
    // pool of their own, recycled, rather than one malloc per wait.
    std::pmr::unsynchronized_pool_resource waiter_memory_;
    std::pmr::unordered_map<WaiterId, Waiter*> waiters_{&waiter_memory_};
    IdleServers idle_;
    std::optional<Parameters> parameters_;
    boost::asio::steady_timer tick_;
    bool tick_armed_ = false;  // a wait on tick_ is pending
    PoolQuotas quotas_;
    bool starved_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    PoolStats own_stats_;
    PoolStats* stats_ = &own_stats_;
    WaiterId next_waiter_ = 1;
    ServerId next_server_ = 1;
};

}  // namespace pgfront::pool
