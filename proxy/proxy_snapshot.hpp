// What the proxy is doing right now, as plain values: its pools, clients and server
// connections. Each worker fills its part on its own event loop; the parts are then merged
// and handed, immutable, to the admin API, /metrics and the admin console.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "conf/pool_override.hpp"
#include "pool/pool_stats.hpp"
#include "proxy/listener_role.hpp"

namespace pgfront::proxy {

struct PoolView {
    ListenerRole role = ListenerRole::primary;
    std::string node;
    std::string database;
    std::string user;
    conf::PoolMode mode = conf::PoolMode::none;
    std::size_t clients_active = 0;   // holding a server of this pool
    std::size_t clients_waiting = 0;  // waiting for one
    std::size_t servers_active = 0;
    std::size_t servers_idle = 0;
    std::size_t servers_connecting = 0;
    double max_wait_seconds = 0;  // the longest current wait
    bool draining = false;
    pool::PoolStats stats;
};

enum class ClientState { login, idle, active, waiting, paused };
std::string_view to_string(ClientState state);

struct ClientView {
    std::uint64_t id = 0;
    ListenerRole role = ListenerRole::primary;
    std::string address;  // "ip:port"
    std::string database;
    std::string user;
    std::string application_name;
    ClientState state = ClientState::login;
    std::string node;  // "" when the client holds no server
    double connected_seconds = 0;
    double state_seconds = 0;
    bool tls = false;
    std::uint64_t server_id = 0;  // 0: none
};

struct ServerView {
    std::uint64_t id = 0;
    ListenerRole role = ListenerRole::primary;
    std::string node;
    std::string address;  // "host:port"
    std::string database;
    std::string user;
    bool active = false;  // lent to client_id
    std::uint64_t client_id = 0;
    double connected_seconds = 0;
    bool tls = false;
};

struct ProxySnapshot {
    std::vector<PoolView> pools;  // one per (role, node, database, user), workers merged
    std::vector<ClientView> clients;
    std::vector<ServerView> servers;
    bool paused_all = false;
    std::vector<std::string> paused_databases;
    bool complete = true;  // false when a worker did not answer in time
    double uptime_seconds = 0;  // of the proxy, for per-second averages (SHOW STATS)

    // Adds another worker's part: pools with the same key are summed.
    void merge(ProxySnapshot part);
};

}  // namespace pgfront::proxy
