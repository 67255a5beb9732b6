// The settings one pool works by, from the global pool: section and the overrides for its
// database and its user. PgBouncer's precedence: a user's value wins over the database's,
// which wins over the global one (mode and pool_size); min_pool_size and reserve_pool_size
// come from the database or the global section, max_db_connections from the database or
// global, max_user_connections from the user or global. Pure.
#pragma once

#include <string_view>

#include "conf/config.hpp"
#include "pool/pool_settings.hpp"

namespace pgfront::pool {

struct EffectiveSettings {
    conf::PoolMode mode = conf::PoolMode::transaction;
    PoolSettings pool;
    int max_db_connections = 0;  // over every pool of the database, the whole process; 0: no limit
    int max_user_connections = 0;  // over every pool of the user, the whole process; 0: no limit
};

EffectiveSettings effective_settings(const conf::PoolConfig& config, std::string_view database,
                                     std::string_view user);

}  // namespace pgfront::pool
