// Config loading: the valid fixtures load with the values they spell out, every invalid
// fixture is rejected with the key and line of its problem.
#include <doctest/doctest.h>

#include <filesystem>

#include "conf/config_loader.hpp"

using namespace pgfront::conf;
using namespace std::chrono_literals;

namespace {
std::string fixture(const std::string& name) {
    return std::string(PGFRONT_TEST_DATA_DIR) + "/conf/" + name;
}
}  // namespace

TEST_CASE("the issue's example config loads with its values") {
    auto r = load_config_file(fixture("valid/issue-example.yaml"));
    REQUIRE_MESSAGE(r.ok(), (r.errors.empty() ? "" : describe(r.errors[0], "issue-example")));
    const auto& c = *r.config;
    CHECK(c.cluster.name == "demo");
    REQUIRE(c.cluster.nodes.size() == 3);
    CHECK(c.cluster.nodes[1] == NodeSeed{"node2", "127.0.0.1", 5433, "http://127.0.0.1:8009"});
    CHECK(c.health.interval == 500ms);
    CHECK(c.health.timeout == 1s);
    CHECK(c.health.fall == 2);
    CHECK(c.health.rise == 1);
    CHECK(c.health.max_replica_lag == 1024 * 1024);
    CHECK(c.listen.primary == Endpoint{"127.0.0.1", 5000});
    CHECK(c.listen.replica == Endpoint{"127.0.0.1", 5001});
    CHECK(c.listen.connect_wait == 10s);
    CHECK(c.admin.listen == Endpoint{"127.0.0.1", 7000});
    CHECK(c.pool.mode == PoolMode::none);
    CHECK(r.text_hash.size() == 16);
}

TEST_CASE("defaults fill everything but the cluster") {
    auto r = load_config_file(fixture("valid/minimal.yaml"));
    REQUIRE(r.ok());
    CHECK(r.config->cluster.nodes[0].port == 5432);
    CHECK(r.config->listen.primary.port == 5000);
    CHECK(r.config->listen.replica_fallback_to_primary);
    CHECK(r.config->cluster.discover);
}

TEST_CASE("every documented key is read") {
    auto r = load_config_file(fixture("valid/full.yaml"));
    REQUIRE_MESSAGE(r.ok(), (r.errors.empty() ? "" : describe(r.errors[0], "full")));
    const auto& c = *r.config;
    CHECK_FALSE(c.cluster.discover);
    CHECK(c.health.failover_interval == 50ms);
    CHECK(c.health.fall == 3);
    CHECK(c.health.rise == 2);
    CHECK(c.health.max_replica_lag == 16ull * 1024 * 1024);
    CHECK(c.health.read_only_hold == 3s);
    CHECK(c.health.discover_interval == 30s);
    CHECK(c.listen.connect_wait == 15s);
    CHECK(c.listen.server_connect_timeout == 1500ms);
    CHECK(c.listen.shutdown_grace == 1min);
    CHECK_FALSE(c.listen.replica_fallback_to_primary);
    CHECK(c.listen.backlog == 1024);
    CHECK(c.listen.workers == 2);
    CHECK(c.admin.token == "s3cret");
    CHECK(c.log.level == "debug");
    CHECK(c.log.file == "/var/log/pgfront/pgfront.log");
}

TEST_CASE("invalid fixtures name the key and the line") {
    struct Case {
        const char* file;
        const char* key;
        int line;
        const char* words;
    };
    const Case cases[] = {
        {"unknown-key.yaml", "health.intervall", 6, "unknown key"},
        {"bad-duration.yaml", "health.interval", 6, "duration"},
        {"bad-port.yaml", "cluster.nodes[0].port", 4, "between 1 and 65535"},
        {"duplicate-node.yaml", "cluster.nodes[1].name", 5, "used twice"},
        {"missing-cluster.yaml", "cluster", 1, "required"},
        {"not-yaml.yaml", "", 2, ""},
        {"admin-without-token.yaml", "admin.token", 6, "token is required"},
        {"same-listener.yaml", "listen.replica", 7, "must differ"},
        {"fall-zero.yaml", "health.fall", 6, "between 1 and 100"},
        {"bad-pool-mode.yaml", "pool.mode", 6, "expected none, session"},
        {"node-without-api.yaml", "cluster.nodes[0].api", 4, "REST URL"},
        {"vip-v2-subsecond.yaml", "vip.advert_interval", 10, "whole seconds"},
        {"vip-bad-track.yaml", "vip.track_no_primary", 9, "expected 'fault' or a weight"},
        {"pool-without-auth-file.yaml", "pool.mode", 6, "set auth.auth_file"},
        {"hba-bad-address.yaml", "auth.hba[0].address", 9, "bits set beyond the /8 prefix"},
        {"hba-missing-method.yaml", "auth.hba[0].method", 9, "needs database, user, address and method"},
        {"database-mode-none.yaml", "pool.databases.appdb.mode", 9, "expected session, transaction or statement"},
        {"overrides-without-pooling.yaml", "pool.users", 8, "need a pooling pool.mode"},
        {"user-unknown-key.yaml", "pool.users.app.min_pool_size", 9, "unknown key"},
        {"packet-size-too-small.yaml", "pool.max_packet_size", 8, "must be between 1kB and 1GB"},
        {"duplicate-section.yaml", "pool", 7, "duplicate key (first at line 5)"},
        {"duplicate-database.yaml", "pool.databases.appdb", 10, "duplicate key (first at line 9)"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.file);
        auto r = load_config_file(fixture(std::string("invalid/") + c.file));
        CHECK_FALSE(r.ok());
        REQUIRE_FALSE(r.errors.empty());
        const auto& e = r.errors.front();
        CAPTURE(describe(e, c.file));
        CHECK(e.key == c.key);
        CHECK(e.line == c.line);
        CHECK(e.message.find(c.words) != std::string::npos);
    }
}

TEST_CASE("every invalid fixture is covered by the table above") {
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(fixture("invalid"))) {
        (void)entry;
        ++files;
    }
    CHECK(files == 22);
}

TEST_CASE("pool and auth use PgBouncer's names") {
    auto r = load_config_file(fixture("valid/pooled.yaml"));
    REQUIRE_MESSAGE(r.ok(), (r.errors.empty() ? "" : describe(r.errors[0], "pooled")));
    const auto& p = r.config->pool;
    CHECK(p.mode == PoolMode::transaction);
    CHECK(p.default_pool_size == 25);
    CHECK(p.min_pool_size == 2);
    CHECK(p.reserve_pool_size == 5);
    CHECK(p.reserve_pool_timeout == 3s);
    CHECK(p.max_client_conn == 5000);
    CHECK(p.query_wait_timeout == 60s);
    CHECK(p.server_lifetime == 30min);
    CHECK(p.server_idle_timeout == 5min);
    CHECK(p.server_login_retry == 2s);
    CHECK(p.server_reset_query == "DISCARD ALL");
    CHECK(r.config->auth.type == AuthType::md5);
    CHECK(r.config->auth.auth_file == fixture("valid/userlist.txt"));
    CHECK(r.config->auth.auth_user == "pgbouncer");
    CHECK(r.config->auth.auth_query == "SELECT usename, passwd FROM pgbouncer.get_auth($1)");
    CHECK(r.config->auth.auth_dbname == "postgres");
    CHECK(r.config->auth.auth_cache_ttl == 30s);
}

TEST_CASE("limits, idle timeouts, per-database and per-user settings, trust users and hba rules") {
    auto r = load_config_file(fixture("valid/pool-limits.yaml"));
    REQUIRE_MESSAGE(r.ok(), (r.errors.empty() ? "" : describe(r.errors[0], "pool-limits")));
    const auto& p = r.config->pool;
    CHECK(p.max_db_connections == 30);
    CHECK(p.max_user_connections == 25);
    CHECK(p.server_check_query == "SELECT 1");
    CHECK(p.server_check_delay == 10s);
    CHECK(p.client_idle_timeout == 5min);
    CHECK(p.idle_transaction_timeout == 30s);
    CHECK(p.max_packet_size == 64ull * 1024 * 1024);
    REQUIRE(p.databases.count("appdb") == 1);
    const auto& appdb = p.databases.at("appdb");
    CHECK(appdb.mode == PoolMode::session);
    CHECK(appdb.pool_size == 5);
    CHECK(appdb.min_pool_size == 2);
    CHECK(appdb.reserve_pool_size == 1);
    CHECK(appdb.max_connections == 8);
    const auto& reporting = p.databases.at("reporting");
    CHECK_FALSE(reporting.mode);
    CHECK(reporting.pool_size == 2);
    const auto& app = p.users.at("app");
    CHECK(app.mode == PoolMode::statement);
    CHECK(app.pool_size == 3);
    CHECK(app.max_connections == 6);
    const auto& a = r.config->auth;
    CHECK(a.trust_users == std::vector<std::string>{"monitor", "health check"});
    REQUIRE(a.hba.size() == 3);
    CHECK(a.hba[0].type == "host");
    CHECK(a.hba[0].address == "10.0.0.0/8");
    CHECK(a.hba[1].type == "hostnossl");
    CHECK(a.hba[1].database == "appdb,reporting");
    CHECK(a.hba[1].user == "app,report");
    CHECK(a.hba[2].method == "reject");
    CHECK(a.hba[2].line == 27);
}

TEST_CASE("the new keys default to PgBouncer's values and off") {
    auto r = load_config_file(fixture("valid/pooled.yaml"));
    REQUIRE(r.ok());
    const auto& p = r.config->pool;
    CHECK(p.max_db_connections == 0);
    CHECK(p.max_user_connections == 0);
    CHECK(p.server_check_query == "select 1");
    CHECK(p.server_check_delay == 30s);
    CHECK(p.client_idle_timeout == 0s);
    CHECK(p.idle_transaction_timeout == 0s);
    CHECK(p.max_packet_size == 1024ull * 1024 * 1024);  // PostgreSQL's own limit
    CHECK(r.config->auth.hba.empty());
    CHECK(r.config->auth.trust_users.empty());
}

TEST_CASE("the vip section uses keepalived's names") {
    auto r = load_config_file(fixture("valid/vip.yaml"));
    REQUIRE_MESSAGE(r.ok(), (r.errors.empty() ? "" : describe(r.errors[0], "vip")));
    const auto& v = r.config->vip;
    CHECK(v.enabled);
    CHECK(v.interface == "eth0");
    CHECK(v.address == "198.18.0.100");
    CHECK(v.prefix_length == 24);
    CHECK(v.vrid == 51);
    CHECK(v.priority == 150);
    CHECK(v.version == 3);
    CHECK(v.advert_interval == 100ms);
    CHECK_FALSE(v.preempt);
    CHECK(v.preempt_delay == 2s);
    CHECK(v.unicast_peers == std::vector<std::string>{"198.18.0.2", "198.18.0.3"});
    CHECK(v.unicast_src == "198.18.0.1");
    CHECK(v.garp_repeat == 3);
    CHECK(v.garp_refresh == 60s);
    CHECK(v.no_primary_after == 2s);
    CHECK(v.track_no_primary == TrackWeight{false, -60});
    CHECK(v.track_listeners_down == TrackWeight{true, 0});
    CHECK(v.notify == "/usr/local/bin/vip-notify");
    CHECK_FALSE(load_config_file(fixture("valid/minimal.yaml")).config->vip.enabled);
}

TEST_CASE("all problems are reported, not only the first") {
    auto r = load_config_text(R"(
cluster:
  name: demo
  nodes:
    - {name: n1, host: h, api: "http://h:8008", colour: blue}
health:
  fall: many
  rise: 0
)");
    CHECK(r.errors.size() == 3);
}

TEST_CASE("describe() gives FILE:LINE:COL: KEY: MESSAGE") {
    ConfigError e{"health.fall", 6, 9, "must be between 1 and 100"};
    CHECK(describe(e, "/etc/pgfront.yaml") == "/etc/pgfront.yaml:6:9: health.fall: must be between 1 and 100");
}

TEST_CASE("a missing file is an error, not a crash") {
    auto r = load_config_file("/nonexistent/pgfront.yaml");
    CHECK_FALSE(r.ok());
    CHECK(r.errors.at(0).message.find("cannot read") != std::string::npos);
}
