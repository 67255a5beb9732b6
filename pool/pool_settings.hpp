// The limits and timeouts one server pool works by (PgBouncer's names). Plain data; the
// config loader fills it per database/user.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace pgfront::pool {

using Duration = std::chrono::milliseconds;

struct PoolSettings {
    std::size_t default_pool_size = 20;
    std::size_t min_pool_size = 0;
    std::size_t reserve_pool_size = 0;
    Duration reserve_pool_timeout{5000};   // a client waiting this long may use the reserve
    Duration query_wait_timeout{120000};   // a client waiting longer gets an error
    Duration server_lifetime{3600000};     // close a server this old when it comes back idle
    Duration server_idle_timeout{600000};  // close a server idle this long (above min_pool_size)
    // After a failed server login, wait this long before the next attempt. Shorter than
    // PgBouncer's 15 s default: during a failover the next node is usually ready in seconds.
    Duration server_login_retry{1000};
    // A server idle at least server_check_delay is checked with this query before it is lent
    // (PgBouncer's names and defaults); empty: never checked.
    std::string server_check_query = "select 1";
    Duration server_check_delay{30000};
};

}  // namespace pgfront::pool
