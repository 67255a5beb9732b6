// The Prometheus exposition of pgfront's state for GET /metrics: built from the same snapshots
// the JSON views read (topology, the workers' atomic counters, the VRRP speaker's status), so a
// scrape takes no lock the proxy's event loops hold. Pure: no I/O.
#pragma once

#include <optional>
#include <string>

#include "health/topology.hpp"
#include "proxy/proxy_server.hpp"
#include "proxy/proxy_snapshot.hpp"
#include "vip/vip_status.hpp"

namespace pgfront::admin {

struct MetricsFacts {
    const health::Topology* topology = nullptr;
    proxy::ProxyCounters counters;
    const proxy::ProxySnapshot* proxy = nullptr;  // pools and clients; null: not available
    std::optional<vip::VipStatus> vip;
    double uptime_seconds = 0;
};

// Prometheus text format 0.0.4; every name under `pgfront_`, units in names, `_total` counters.
std::string metrics_text(const MetricsFacts& facts);

}  // namespace pgfront::admin
