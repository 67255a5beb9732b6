// JSON renderings of pgfront's snapshots for the admin API. Pure: snapshot in, text out.
#pragma once

#include <chrono>
#include <string>

#include "conf/config.hpp"
#include "health/topology.hpp"
#include "proxy/proxy_server.hpp"
#include "proxy/proxy_snapshot.hpp"

namespace pgfront::admin {

struct StatusFacts {
    std::string version;
    std::string event_loop;
    std::string config_path;
    std::string config_hash;
    double uptime_seconds = 0;
};

// `proxy` may be null (the workers did not answer in time): the parts it feeds are null then.
std::string status_json(const StatusFacts& facts, const conf::Config& config, const health::Topology& topology,
                        const proxy::ProxyCounters& counters, const proxy::ProxySnapshot* proxy);

std::string nodes_json(const health::Topology& topology, const proxy::ProxySnapshot* proxy,
                       std::chrono::steady_clock::time_point now);
// One node; "" when the topology has no such node.
std::string node_json(const health::Topology& topology, std::string_view name, const proxy::ProxySnapshot* proxy,
                      std::chrono::steady_clock::time_point now);

std::string pools_json(const proxy::ProxySnapshot& proxy);
std::string clients_json(const proxy::ProxySnapshot& proxy);
std::string servers_json(const proxy::ProxySnapshot& proxy);

std::string error_json(int status, const std::string& message);

}  // namespace pgfront::admin
