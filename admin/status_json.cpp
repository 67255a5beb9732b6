// JSON views for the admin API (see status_json.hpp).
#include "admin/status_json.hpp"

#include <boost/json.hpp>

namespace pgfront::admin {
namespace json = boost::json;

namespace {
json::object node_object(const health::NodeState& n, const proxy::ProxySnapshot* proxy,
                         std::chrono::steady_clock::time_point now) {
    json::object o;
    o["name"] = n.name;
    o["host"] = n.host;
    o["port"] = n.port;
    o["api"] = n.api;
    o["role"] = std::string(health::to_string(n.role));
    o["state"] = n.state;
    o["up"] = n.up;
    o["eligible_primary"] = n.eligible_primary;
    o["eligible_replica"] = n.eligible_replica;
    o["noloadbalance"] = n.noloadbalance;
    o["drained"] = n.drained;
    o["pause"] = n.pause;
    o["read_only_hold"] = n.read_only_hold;
    o["discovered"] = n.discovered;
    o["timeline"] = n.timeline;
    if (n.lag_bytes) o["lag_bytes"] = *n.lag_bytes;
    else o["lag_bytes"] = nullptr;
    if (n.last_check != std::chrono::steady_clock::time_point{})
        o["last_check_ms_ago"] =
            std::chrono::duration_cast<std::chrono::milliseconds>(now - n.last_check).count();
    else o["last_check_ms_ago"] = nullptr;
    o["last_error"] = n.last_error;
    o["consecutive_failures"] = n.consecutive_failures;
    o["patroni_version"] = n.patroni_version;
    json::array history;
    for (auto it = n.history.rbegin(); it != n.history.rend(); ++it) {
        history.push_back(json::object{
            {"ms_ago", std::chrono::duration_cast<std::chrono::milliseconds>(now - it->at).count()},
            {"ok", it->ok},
            {"seconds", it->seconds},
            {"error", it->error}});
    }
    o["health_history"] = std::move(history);
    o["checks_failed"] = n.checks_failed;
    if (proxy) {
        std::uint64_t clients = 0, active = 0, idle = 0;
        for (const auto& c : proxy->clients) clients += c.node == n.name;
        for (const auto& s : proxy->servers) {
            if (s.node != n.name) continue;
            (s.active ? active : idle) += 1;
        }
        o["clients"] = clients;
        o["servers_active"] = active;
        o["servers_idle"] = idle;
    } else {
        o["clients"] = nullptr;
        o["servers_active"] = nullptr;
        o["servers_idle"] = nullptr;
    }
    return o;
}

const char* role_name(proxy::ListenerRole role) { return role == proxy::ListenerRole::primary ? "primary" : "replica"; }
}  // namespace

std::string status_json(const StatusFacts& facts, const conf::Config& config, const health::Topology& topology,
                        const proxy::ProxyCounters& counters, const proxy::ProxySnapshot* proxy) {
    json::object o;
    o["version"] = facts.version;
    o["event_loop"] = facts.event_loop;
    o["uptime_seconds"] = facts.uptime_seconds;
    o["config_file"] = facts.config_path;
    o["config_hash"] = facts.config_hash;
    o["cluster"] = config.cluster.name;
    o["pool_mode"] = std::string(conf::to_string(config.pool.mode));
    o["listen"] = {{"primary", config.listen.primary.to_string()}, {"replica", config.listen.replica.to_string()}};
    o["topology_version"] = topology.version;
    const auto* primary = topology.primary();
    if (primary) o["primary"] = primary->name;
    else o["primary"] = nullptr;
    json::array replicas;
    for (const auto* r : topology.replicas()) replicas.push_back(json::value(r->name));
    o["replicas"] = std::move(replicas);
    o["sessions"] = {
        {"active_primary", counters.active_primary},
        {"active_replica", counters.active_replica},
        {"accepted_primary", counters.accepted_primary},
        {"accepted_replica", counters.accepted_replica},
        {"refused_no_node", counters.no_node_errors},
        {"closed_by_role_change", counters.closed_by_role_change},
        {"refused_read_only_primary", counters.read_only_refusals},
    };
    if (proxy) {
        json::array databases;
        for (const auto& d : proxy->paused_databases) databases.push_back(json::value(d));
        o["paused"] = {{"all", proxy->paused_all}, {"databases", std::move(databases)}};
    } else {
        o["paused"] = nullptr;
    }
    return json::serialize(o) + "\n";
}

std::string nodes_json(const health::Topology& topology, const proxy::ProxySnapshot* proxy,
                       std::chrono::steady_clock::time_point now) {
    json::array nodes;
    for (const auto& n : topology.nodes) nodes.push_back(node_object(n, proxy, now));
    return json::serialize(json::object{{"nodes", std::move(nodes)}}) + "\n";
}

std::string node_json(const health::Topology& topology, std::string_view name, const proxy::ProxySnapshot* proxy,
                      std::chrono::steady_clock::time_point now) {
    const auto* n = topology.find(name);
    if (!n) return {};
    return json::serialize(node_object(*n, proxy, now)) + "\n";
}

std::string pools_json(const proxy::ProxySnapshot& proxy) {
    json::array pools;
    for (const auto& p : proxy.pools) {
        pools.push_back(json::object{
            {"role", role_name(p.role)},
            {"node", p.node},
            {"database", p.database},
            {"user", p.user},
            {"mode", std::string(conf::to_string(p.mode))},
            {"clients_active", p.clients_active},
            {"clients_waiting", p.clients_waiting},
            {"servers_active", p.servers_active},
            {"servers_idle", p.servers_idle},
            {"servers_connecting", p.servers_connecting},
            {"max_wait_seconds", p.max_wait_seconds},
            {"transactions", p.stats.transactions},
            {"queries", p.stats.queries},
            {"bytes_received", p.stats.bytes_received},
            {"bytes_sent", p.stats.bytes_sent},
            {"draining", p.draining},
        });
    }
    return json::serialize(json::object{{"pools", std::move(pools)}}) + "\n";
}

std::string clients_json(const proxy::ProxySnapshot& proxy) {
    json::array clients;
    for (const auto& c : proxy.clients) {
        clients.push_back(json::object{
            {"id", c.id},
            {"role", role_name(c.role)},
            {"address", c.address},
            {"database", c.database},
            {"user", c.user},
            {"application_name", c.application_name},
            {"state", std::string(proxy::to_string(c.state))},
            {"node", c.node},
            {"server_id", c.server_id},
            {"connected_seconds", c.connected_seconds},
            {"state_seconds", c.state_seconds},
            {"tls", c.tls},
        });
    }
    return json::serialize(json::object{{"clients", std::move(clients)}}) + "\n";
}

std::string servers_json(const proxy::ProxySnapshot& proxy) {
    json::array servers;
    for (const auto& s : proxy.servers) {
        servers.push_back(json::object{
            {"id", s.id},
            {"role", role_name(s.role)},
            {"node", s.node},
            {"address", s.address},
            {"database", s.database},
            {"user", s.user},
            {"state", s.active ? "active" : "idle"},
            {"client_id", s.client_id},
            {"connected_seconds", s.connected_seconds},
            {"tls", s.tls},
        });
    }
    return json::serialize(json::object{{"servers", std::move(servers)}}) + "\n";
}

std::string error_json(int status, const std::string& message) {
    return json::serialize(json::object{{"status", status}, {"error", message}}) + "\n";
}

}  // namespace pgfront::admin
