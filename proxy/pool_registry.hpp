// A worker's server pools, one per (listener role, node, database, user), created on first
// use. Pools of a node that lost its role are drained: idle servers close, leased ones close
// when they come back, and sessions find the new node's pool at their next transaction.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "conf/config.hpp"
#include "health/topology.hpp"
#include "pool/connection_quota.hpp"
#include "pool/effective_settings.hpp"
#include "pool/server_pool.hpp"
#include "proxy/listener_role.hpp"
#include "tls/tls_contexts.hpp"

namespace pgfront::proxy {

struct PoolKey {
    ListenerRole role;
    std::string node;
    std::string database;
    std::string user;
    friend auto operator<=>(const PoolKey&, const PoolKey&) = default;
};

class PoolRegistry {
public:
    // `quotas` (max_db_connections, max_user_connections) are shared with the other workers.
    PoolRegistry(boost::asio::any_io_executor executor, pool::QuotaTable& quotas);

    // The pool for `key`, made with `login` if new; a live pool takes `login` as its newest
    // credentials (SCRAM keys of the latest client login). Its settings come from the pool:
    // section and the overrides for its database and user (pool/effective_settings.hpp).
    pool::ServerPool& get(const PoolKey& key, const conf::Endpoint& endpoint, const conf::Config& config,
                          pool::ServerLogin login);
    // Changes whenever a pool is made or forgotten and when TLS contexts are replaced: a pool
    // found through get() stays the live pool of its key, with current contexts, while this
    // is unchanged and it is not draining (sessions keep it between transactions instead of
    // building a key and a login each time).
    std::uint64_t generation() const { return generation_; }
    void on_topology(const health::Topology& topology);
    // TLS settings for server logins from now on. Pools are drained when tls.server changed,
    // so no server stays connected the old way (PgBouncer does the same on reload).
    void set_tls(std::shared_ptr<const tls::TlsContexts> tls);
    // A reload: every live pool takes its new settings (min_pool_size opens servers at once).
    void reconfigure(const conf::Config& config);
    const std::map<PoolKey, std::unique_ptr<pool::ServerPool>>& pools() const { return pools_; }
    // Drained pools whose servers are still out with clients.
    const std::vector<std::unique_ptr<pool::ServerPool>>& retired() const { return retired_; }
    // Traffic counters per key; they outlive the pools (counters must not go backwards).
    pool::PoolStats& stats(const PoolKey& key) { return stats_[key]; }
    const std::map<PoolKey, pool::PoolStats>& stats() const { return stats_; }
    // The console's KILL: every pool of the database closes its idle servers now and the
    // others when they come back; new pools are made on demand.
    void drain_database(const std::string& database);

private:
    pool::PoolQuotas quotas_for(const PoolKey& key, const pool::EffectiveSettings& settings);
    // While any pool has a shared limit: every 50 ms, pools with idle servers give room to
    // starved pools of the same database or user, and starved pools ask again. Limits are
    // shared across workers, so this is a poll rather than a wake-up (like PgBouncer's janitor).
    void arm_limit_check();
    void check_limits();

    boost::asio::any_io_executor executor_;
    pool::QuotaTable& quotas_;
    boost::asio::steady_timer limit_check_;
    bool limit_check_armed_ = false;
    std::map<PoolKey, std::unique_ptr<pool::ServerPool>> pools_;
    std::shared_ptr<const tls::TlsContexts> tls_;
    // Drained pools replaced by a fresh one stay alive: sessions may still hold their
    // servers and give them back there.
    std::vector<std::unique_ptr<pool::ServerPool>> retired_;
    std::map<PoolKey, pool::PoolStats> stats_;
    std::uint64_t generation_ = 0;
};

}  // namespace pgfront::proxy
