// Pool lookup and draining (see pool_registry.hpp).
#include "proxy/pool_registry.hpp"

#include "proxy/route_choice.hpp"

namespace pgfront::proxy {

pool::PoolSettings PoolRegistry::settings_from(const conf::Config& config) {
    const auto& p = config.pool;
    pool::PoolSettings s;
    s.default_pool_size = static_cast<std::size_t>(p.default_pool_size);
    s.min_pool_size = static_cast<std::size_t>(p.min_pool_size);
    s.reserve_pool_size = static_cast<std::size_t>(p.reserve_pool_size);
    s.reserve_pool_timeout = p.reserve_pool_timeout;
    s.query_wait_timeout = p.query_wait_timeout;
    s.server_lifetime = p.server_lifetime;
    s.server_idle_timeout = p.server_idle_timeout;
    s.server_login_retry = p.server_login_retry;
    return s;
}

pool::ServerPool& PoolRegistry::get(const PoolKey& key, const conf::Endpoint& endpoint, const conf::Config& config,
                                    pool::ServerLogin login) {
    login.tls = tls_;
    auto it = pools_.find(key);
    if (it != pools_.end() && !it->second->draining()) {
        it->second->update_login(std::move(login));
        return *it->second;
    }
    // A drained pool is replaced: the node may have come back in the role.
    auto fresh = std::make_unique<pool::ServerPool>(executor_, key.node, endpoint, settings_from(config),
                                                    std::move(login), config.listen.server_connect_timeout);
    auto& ref = *fresh;
    if (it != pools_.end()) retired_.push_back(std::move(it->second));
    pools_[key] = std::move(fresh);
    return ref;
}

void PoolRegistry::set_tls(std::shared_ptr<const tls::TlsContexts> tls) {
    const auto server_side = [](const tls::TlsContexts* t) { return t ? t->config.server : conf::TlsSideConfig{}; };
    const bool changed = !(server_side(tls_.get()) == server_side(tls.get()));
    tls_ = std::move(tls);
    if (!changed) return;
    for (auto& [key, pool] : pools_)
        if (!pool->draining()) pool->drain();
}

void PoolRegistry::on_topology(const health::Topology& topology) {
    for (auto& [key, pool] : pools_)
        if (!pool->draining() && !node_still_serves(topology, key.role, key.node)) pool->drain();
    std::erase_if(retired_, [](const auto& pool) {
        const auto c = pool->counts();
        return c.total() == 0 && c.waiting == 0;
    });
}

}  // namespace pgfront::proxy
