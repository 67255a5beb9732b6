// Settings resolution (see effective_settings.hpp).
#include "pool/effective_settings.hpp"

#include <algorithm>
#include <string>

namespace pgfront::pool {
namespace {

const conf::PoolOverride* find(const std::map<std::string, conf::PoolOverride>& overrides,
                               std::string_view name) {
    const auto it = overrides.find(std::string(name));
    return it == overrides.end() ? nullptr : &it->second;
}

// The first value that is set, in order of precedence, else the global one.
template <class T>
T first_set(std::initializer_list<std::optional<T>> candidates, T global) {
    for (const auto& c : candidates)
        if (c) return *c;
    return global;
}

}  // namespace

EffectiveSettings effective_settings(const conf::PoolConfig& config, std::string_view database,
                                     std::string_view user) {
    static const conf::PoolOverride none;
    const auto& db = find(config.databases, database) ? *find(config.databases, database) : none;
    const auto& us = find(config.users, user) ? *find(config.users, user) : none;

    EffectiveSettings e;
    e.mode = first_set({us.mode, db.mode}, config.mode);
    auto& s = e.pool;
    s.default_pool_size =
        static_cast<std::size_t>(first_set({us.pool_size, db.pool_size}, config.default_pool_size));
    s.min_pool_size =
        std::min(static_cast<std::size_t>(first_set({db.min_pool_size}, config.min_pool_size)),
                 s.default_pool_size);
    s.reserve_pool_size =
        static_cast<std::size_t>(first_set({db.reserve_pool_size}, config.reserve_pool_size));
    s.reserve_pool_timeout = config.reserve_pool_timeout;
    s.query_wait_timeout = config.query_wait_timeout;
    s.server_lifetime = config.server_lifetime;
    s.server_idle_timeout = config.server_idle_timeout;
    s.server_login_retry = config.server_login_retry;
    s.server_check_query = config.server_check_query;
    s.server_check_delay = config.server_check_delay;
    e.max_db_connections = first_set({db.max_connections}, config.max_db_connections);
    e.max_user_connections = first_set({us.max_connections}, config.max_user_connections);
    return e;
}

}  // namespace pgfront::pool
