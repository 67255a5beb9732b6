// Pool lookup, reconfiguration, shared limits and draining (see pool_registry.hpp).
#include "proxy/pool_registry.hpp"

#include "proxy/route_choice.hpp"

namespace pgfront::proxy {

PoolRegistry::PoolRegistry(boost::asio::any_io_executor executor, pool::QuotaTable& quotas)
    : executor_(executor), quotas_(quotas), limit_check_(executor) {}

// Every pool counts its servers against its database's and user's quotas, limited or not,
// so a limit a reload introduces starts from the true count.
pool::PoolQuotas PoolRegistry::quotas_for(const PoolKey& key, const pool::EffectiveSettings& settings) {
    pool::PoolQuotas quotas{quotas_.database(key.database), quotas_.user(key.user)};
    quotas.database->set_limit(settings.max_db_connections);
    quotas.user->set_limit(settings.max_user_connections);
    return quotas;
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
    if (it != pools_.end()) pool::keep_credentials(login, it->second->login());
    const auto settings = pool::effective_settings(config.pool, key.database, key.user);
    auto fresh = std::make_unique<pool::ServerPool>(executor_, key.node, endpoint, settings.pool, std::move(login),
                                                    config.listen.server_connect_timeout, quotas_for(key, settings));
    auto& ref = *fresh;
    ref.attach_stats(stats_[key]);
    if (it != pools_.end()) retired_.push_back(std::move(it->second));
    pools_[key] = std::move(fresh);
    ++generation_;
    arm_limit_check();
    return ref;
}

void PoolRegistry::set_tls(std::shared_ptr<const tls::TlsContexts> tls) {
    const auto server_side = [](const tls::TlsContexts* t) { return t ? t->config.server : conf::TlsSideConfig{}; };
    const bool changed = !(server_side(tls_.get()) == server_side(tls.get()));
    tls_ = std::move(tls);
    // Same settings, maybe renewed certificate files: sessions that kept their pool go
    // through get() once more, which hands the pool the new contexts for its next logins.
    ++generation_;
    if (!changed) return;
    for (auto& [key, pool] : pools_)
        if (!pool->draining()) pool->drain();
}

void PoolRegistry::reconfigure(const conf::Config& config) {
    for (auto& [key, pool] : pools_) {
        const auto settings = pool::effective_settings(config.pool, key.database, key.user);
        quotas_for(key, settings);
        pool->reconfigure(settings.pool);
    }
    arm_limit_check();
}

void PoolRegistry::arm_limit_check() {
    if (limit_check_armed_) return;
    // A starved pool is asked again even after a reload lifted every limit.
    bool needed = false;
    for (const auto& [key, pool] : pools_) needed |= pool->limited() || pool->starved();
    if (!needed) return;
    limit_check_armed_ = true;
    limit_check_.expires_after(std::chrono::milliseconds(50));
    limit_check_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        limit_check_armed_ = false;
        check_limits();
        arm_limit_check();
    });
}

void PoolRegistry::check_limits() {
    for (auto& [key, pool] : pools_) pool->evict_idle_for_starved_quota();
    for (auto& [key, pool] : pools_)
        if (pool->starved()) pool->retry_open();
}

void PoolRegistry::drain_database(const std::string& database) {
    for (auto& [key, pool] : pools_)
        if (key.database == database && !pool->draining()) pool->drain();
}

void PoolRegistry::on_topology(const health::Topology& topology) {
    for (auto& [key, pool] : pools_)
        if (!pool->draining() && !node_takes_new_work(topology, key.role, key.node)) pool->drain();
    if (std::erase_if(retired_, [](const auto& pool) { return pool->unused(); }) > 0)
        ++generation_;
}

}  // namespace pgfront::proxy
