// A worker's server pools, one per (listener role, node, database, user), created on first
// use. Pools of a node that lost its role are drained: idle servers close, leased ones close
// when they come back, and sessions find the new node's pool at their next transaction.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "conf/config.hpp"
#include "health/topology.hpp"
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
    explicit PoolRegistry(boost::asio::any_io_executor executor) : executor_(executor) {}

    // The pool for `key`, made with `login` if new; a live pool takes `login` as its newest
    // credentials (SCRAM keys of the latest client login).
    pool::ServerPool& get(const PoolKey& key, const conf::Endpoint& endpoint, const conf::Config& config,
                          pool::ServerLogin login);
    void on_topology(const health::Topology& topology);
    // TLS settings for server logins from now on. Pools are drained when tls.server changed,
    // so no server stays connected the old way (PgBouncer does the same on reload).
    void set_tls(std::shared_ptr<const tls::TlsContexts> tls);
    const std::map<PoolKey, std::unique_ptr<pool::ServerPool>>& pools() const { return pools_; }

    static pool::PoolSettings settings_from(const conf::Config& config);

private:
    boost::asio::any_io_executor executor_;
    std::map<PoolKey, std::unique_ptr<pool::ServerPool>> pools_;
    std::shared_ptr<const tls::TlsContexts> tls_;
    // Drained pools replaced by a fresh one stay alive: sessions may still hold their
    // servers and give them back there.
    std::vector<std::unique_ptr<pool::ServerPool>> retired_;
};

}  // namespace pgfront::proxy
