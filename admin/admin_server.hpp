// The admin HTTP API on admin.listen: JSON views of pgfront's state, Prometheus /metrics, and
// the operator's actions (drain, pause, reload, kill). It runs on its own threads
// (cpp-httplib), reads immutable snapshots, and posts actions to the proxy's event loops, so
// nothing it receives can block or crash the proxy. The contract: README "Admin API".
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "conf/config.hpp"
#include "health/topology.hpp"
#include "proxy/proxy_control.hpp"
#include "proxy/proxy_server.hpp"
#include "vip/vip_status.hpp"

namespace pgfront::admin {

// What the API reads and does; each callback must be thread-safe and cheap.
struct AdminSources {
    std::function<health::TopologyPtr()> topology;
    std::function<proxy::ProxyCounters()> counters;
    std::function<std::shared_ptr<const conf::Config>()> config;
    std::function<std::string()> config_hash;
    std::string config_path;
    // The VRRP speaker's state; nullopt (or unset) when there is no vip: section.
    std::function<std::optional<vip::VipStatus>()> vip;
    proxy::ProxyControl* control = nullptr;
    // Marks a node drained (or not) in the health monitor; routing follows its next snapshot.
    std::function<void(std::string node, bool drained)> set_drained;
};

class AdminServer {
public:
    explicit AdminServer(AdminSources sources);
    ~AdminServer();
    AdminServer(const AdminServer&) = delete;
    AdminServer& operator=(const AdminServer&) = delete;

    // Binds and starts serving; throws std::runtime_error when the address cannot be bound.
    void start(const conf::Endpoint& listen);
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pgfront::admin
