// Pool settings for one database or one user, over the global pool: section (PgBouncer's
// [databases] and [users] options). Unset fields inherit; see pool/effective_settings.hpp
// for the order in which they apply.
#pragma once

#include <optional>

namespace pgfront::conf {

enum class PoolMode { none, session, transaction, statement };

struct PoolOverride {
    std::optional<PoolMode> mode;          // session | transaction | statement
    std::optional<int> pool_size;          // instead of pool.default_pool_size
    std::optional<int> min_pool_size;      // databases only
    std::optional<int> reserve_pool_size;  // databases only
    // pool.databases: max_db_connections; pool.users: max_user_connections (0: no limit).
    std::optional<int> max_connections;
};

}  // namespace pgfront::conf
