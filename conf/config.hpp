// The frozen configuration of one pgfront process: plain structs with their defaults.
// Loading and validation live in config_loader.hpp; nothing here does I/O.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "conf/tls_config.hpp"
#include "conf/hba_entry.hpp"
#include "conf/pool_override.hpp"

namespace pgfront::conf {

using Duration = std::chrono::milliseconds;

struct Endpoint {
    std::string host;
    std::uint16_t port = 0;

    std::string to_string() const { return host + ":" + std::to_string(port); }
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// A seed member of the Patroni cluster. More members are discovered from GET /cluster.
struct NodeSeed {
    std::string name;
    std::string host;
    std::uint16_t port = 5432;
    std::string api;  // Patroni REST base URL, e.g. "http://127.0.0.1:8008"

    friend bool operator==(const NodeSeed&, const NodeSeed&) = default;
};

struct ClusterConfig {
    std::string name;
    std::vector<NodeSeed> nodes;
    bool discover = true;  // add members that GET /cluster reports but the seeds do not name
};

struct HealthConfig {
    Duration interval{500};
    // Polling interval while no node is an eligible primary (mid-failover), so a promotion
    // is noticed within this bound rather than a whole interval.
    Duration failover_interval{100};
    Duration timeout{1000};
    int fall = 2;
    int rise = 1;
    std::uint64_t max_replica_lag = 1024 * 1024;  // bytes
    // After a server on the primary port reports in_hot_standby=on at login, the node is
    // not used for writes for this long unless Patroni reports a new role or timeline first.
    Duration read_only_hold{5000};
    Duration discover_interval{10000};
};

struct ListenConfig {
    Endpoint primary{"127.0.0.1", 5000};
    Endpoint replica{"127.0.0.1", 5001};
    // How long a new client waits for an eligible node (e.g. mid-failover) before an error.
    Duration connect_wait{10000};
    Duration server_connect_timeout{2000};
    // A client that sends nothing for this long after connecting is closed.
    Duration client_login_timeout{60000};
    // On SIGTERM, sessions get this long to finish before they are closed.
    Duration shutdown_grace{30000};
    bool replica_fallback_to_primary = true;
    int backlog = 4096;
    // Event-loop threads serving clients; each has its own acceptors (SO_REUSEPORT).
    int workers = 1;
    bool tcp_keepalive = true;
};

struct AdminConfig {
    Endpoint listen{"127.0.0.1", 7000};
    std::string token;
    // The PgBouncer-style console (database "pgbouncer" or "pgfront" on a pooling port), with
    // PgBouncer's names: admin users may run every command, stats users only SHOW.
    std::vector<std::string> admin_users;
    std::vector<std::string> stats_users;
};

// How a tracked condition lowers the VRRP priority: by a weight, or straight to Fault
// (leave the master state and give up the VIP).
struct TrackWeight {
    bool fault = true;
    int weight = 0;  // subtracted from the priority when !fault

    friend bool operator==(const TrackWeight&, const TrackWeight&) = default;
};

// The built-in VRRP speaker (keepalived's names). Absent section: no VIP is managed.
struct VipConfig {
    bool enabled = false;
    std::string interface;
    std::string address;  // IPv4, without prefix
    int prefix_length = 32;
    int vrid = 0;
    int priority = 100;
    int version = 3;
    Duration advert_interval{1000};
    bool preempt = true;
    Duration preempt_delay{0};
    std::vector<std::string> unicast_peers;  // empty: multicast 224.0.0.18
    std::string unicast_src;                 // source address for unicast adverts (default: interface's)
    std::string auth_pass;                   // v2 simple password (interop only; not security)
    bool checksum_pseudo_header = true;      // v3: include the IPv4 pseudo-header (keepalived's default)
    int garp_repeat = 5;                     // gratuitous ARPs sent on becoming master
    Duration garp_delay{5000};               // a second burst this long after the first (0: none)
    Duration garp_refresh{0};                // periodic gratuitous ARP while master (0: off)
    Duration no_primary_after{3000};         // how long without a primary before track_no_primary applies
    TrackWeight track_no_primary{true, 0};
    TrackWeight track_listeners_down{true, 0};
    std::string notify;                      // command run with (state, vrid, address) on transitions
};

// PgBouncer's names and defaults unless noted. Sizes are per worker thread.
struct PoolConfig {
    PoolMode mode = PoolMode::none;
    int default_pool_size = 20;
    int min_pool_size = 0;
    int reserve_pool_size = 0;
    Duration reserve_pool_timeout{5000};
    int max_client_conn = 10000;
    Duration query_wait_timeout{120000};
    Duration server_lifetime{3600000};
    Duration server_idle_timeout{600000};
    Duration server_login_retry{1000};  // PgBouncer: 15s; short so failover recovers fast
    std::string server_reset_query = "DISCARD ALL";  // session mode, when a client leaves
    // Transaction/statement mode: how long a client's next transaction on the primary port
    // waits for a primary during a failover before it gets an error.
    Duration failover_hold{30000};
    // Transaction/statement mode: pgfront-named prepared statements kept per server connection.
    int max_prepared_statements = 200;
    // Server connections per database / per user over all pools of the process (0: no limit).
    int max_db_connections = 0;
    int max_user_connections = 0;
    // Run on a server idle longer than the delay before it is lent (empty: never).
    std::string server_check_query = "select 1";
    Duration server_check_delay{30000};
    Duration client_idle_timeout{0};       // 0: off
    Duration idle_transaction_timeout{0};  // 0: off
    // PgBouncer's name: the longest message (one query, one row) let through either way.
    // Messages are buffered whole, so this also bounds what one client can make pgfront hold.
    std::uint64_t max_packet_size = std::uint64_t{1} << 30;
    std::map<std::string, PoolOverride> databases;
    std::map<std::string, PoolOverride> users;
};

enum class AuthType { scram_sha_256, md5, trust };

// How pgfront authenticates clients in the pooling modes (pool.mode none leaves it to the
// server). Passwords come from a PgBouncer-format userlist.txt.
struct AuthConfig {
    AuthType type = AuthType::scram_sha_256;
    std::string auth_file;
    // Users missing from auth_file are looked up on the current primary, logged in as
    // auth_user (whose own password is in auth_file), as PgBouncer does.
    std::string auth_user;
    std::string auth_query = "SELECT usename, passwd FROM pgbouncer.get_auth($1)";
    std::string auth_dbname;           // empty: the database the client asked for (PgBouncer 1.18)
    Duration auth_cache_ttl{60000};    // answers (found or not) are reused this long
    std::vector<std::string> trust_users;  // log in without a password (HBA rules still apply)
    std::vector<HbaEntry> hba;             // empty: every client may try; else first match decides
};

struct LogConfig {
    std::string level = "info";  // trace | debug | info | warn | error
    std::string file;            // empty: stderr
};

struct Config {
    ClusterConfig cluster;
    HealthConfig health;
    ListenConfig listen;
    AdminConfig admin;
    PoolConfig pool;
    AuthConfig auth;
    VipConfig vip;
    LogConfig log;
    TlsConfig tls;
};

std::string_view to_string(PoolMode mode);

}  // namespace pgfront::conf
