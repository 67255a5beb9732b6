// JSON renderings of pgfront's snapshots for the admin API. Pure: snapshot in, text out.
#pragma once

#include <chrono>
#include <string>

#include "conf/config.hpp"
#include "health/topology.hpp"
#include "proxy/proxy_server.hpp"

namespace pgfront::admin {

struct StatusFacts {
    std::string version;
    std::string event_loop;
    std::string config_path;
    std::string config_hash;
    double uptime_seconds = 0;
};

std::string status_json(const StatusFacts& facts, const conf::Config& config, const health::Topology& topology,
                        const proxy::ProxyCounters& counters);

std::string nodes_json(const health::Topology& topology, std::chrono::steady_clock::time_point now);

std::string error_json(int status, const std::string& message);

}  // namespace pgfront::admin
