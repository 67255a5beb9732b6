// JSON views for the admin API (see status_json.hpp).
#include "admin/status_json.hpp"

#include <boost/json.hpp>

namespace pgfront::admin {
namespace json = boost::json;

namespace {
json::object node_object(const health::NodeState& n, std::chrono::steady_clock::time_point now) {
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
    return o;
}
}  // namespace

std::string status_json(const StatusFacts& facts, const conf::Config& config, const health::Topology& topology,
                        const proxy::ProxyCounters& counters) {
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
    return json::serialize(o) + "\n";
}

std::string nodes_json(const health::Topology& topology, std::chrono::steady_clock::time_point now) {
    json::array nodes;
    for (const auto& n : topology.nodes) nodes.push_back(node_object(n, now));
    return json::serialize(json::object{{"nodes", std::move(nodes)}}) + "\n";
}

std::string error_json(int status, const std::string& message) {
    return json::serialize(json::object{{"status", status}, {"error", message}}) + "\n";
}

}  // namespace pgfront::admin
