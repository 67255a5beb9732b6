// Per-database and per-user pool settings over the global ones, with PgBouncer's precedence.
#include "pool/effective_settings.hpp"

#include <doctest/doctest.h>

using namespace pgfront;
using namespace std::chrono_literals;
using conf::PoolMode;

namespace {

conf::PoolConfig global() {
    conf::PoolConfig c;
    c.mode = PoolMode::transaction;
    c.default_pool_size = 20;
    c.min_pool_size = 2;
    c.reserve_pool_size = 1;
    c.max_db_connections = 50;
    c.max_user_connections = 40;
    c.server_check_delay = 5s;
    c.server_check_query = "select 1";
    return c;
}

}  // namespace

TEST_CASE("without overrides the global settings apply") {
    const auto e = pool::effective_settings(global(), "appdb", "app");
    CHECK(e.mode == PoolMode::transaction);
    CHECK(e.pool.default_pool_size == 20);
    CHECK(e.pool.min_pool_size == 2);
    CHECK(e.pool.reserve_pool_size == 1);
    CHECK(e.pool.server_check_delay == 5s);
    CHECK(e.pool.server_check_query == "select 1");
    CHECK(e.max_db_connections == 50);
    CHECK(e.max_user_connections == 40);
}

TEST_CASE("a database's settings override the global ones, only for that database") {
    auto c = global();
    c.databases["appdb"] = {PoolMode::session, 5, 1, 0, 8};
    const auto e = pool::effective_settings(c, "appdb", "app");
    CHECK(e.mode == PoolMode::session);
    CHECK(e.pool.default_pool_size == 5);
    CHECK(e.pool.min_pool_size == 1);
    CHECK(e.pool.reserve_pool_size == 0);
    CHECK(e.max_db_connections == 8);
    CHECK(e.max_user_connections == 40);
    const auto other = pool::effective_settings(c, "otherdb", "app");
    CHECK(other.mode == PoolMode::transaction);
    CHECK(other.pool.default_pool_size == 20);
    CHECK(other.max_db_connections == 50);
}

TEST_CASE("a user's mode and pool_size win over the database's") {
    auto c = global();
    c.databases["appdb"] = {PoolMode::session, 5, std::nullopt, std::nullopt, std::nullopt};
    c.users["app"] = {PoolMode::statement, 3, std::nullopt, std::nullopt, 7};
    const auto e = pool::effective_settings(c, "appdb", "app");
    CHECK(e.mode == PoolMode::statement);
    CHECK(e.pool.default_pool_size == 3);
    CHECK(e.max_user_connections == 7);
    CHECK(e.max_db_connections == 50);
    // Another user of the same database gets the database's values.
    const auto other = pool::effective_settings(c, "appdb", "reporting");
    CHECK(other.mode == PoolMode::session);
    CHECK(other.pool.default_pool_size == 5);
    CHECK(other.max_user_connections == 40);
}

TEST_CASE("only what is set overrides; min_pool_size never exceeds the pool size") {
    auto c = global();
    c.min_pool_size = 4;
    c.users["app"] = {std::nullopt, 2, std::nullopt, std::nullopt, std::nullopt};
    const auto e = pool::effective_settings(c, "appdb", "app");
    CHECK(e.mode == PoolMode::transaction);
    CHECK(e.pool.default_pool_size == 2);
    CHECK(e.pool.min_pool_size == 2);
}
