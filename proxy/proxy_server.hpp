// The client-facing side of pgfront: worker threads with their listeners and sessions.
// main() feeds it topology snapshots and config; it reports read-only "primaries" back.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "conf/config.hpp"
#include "health/topology.hpp"
#include "proxy/proxy_control.hpp"

namespace pgfront::auth {
class UserList;
}
namespace pgfront::tls {
struct TlsContexts;
}

namespace pgfront::proxy {

struct ProxyCounters {
    std::uint64_t accepted_primary = 0;
    std::uint64_t accepted_replica = 0;
    std::uint64_t active_primary = 0;
    std::uint64_t active_replica = 0;
    std::uint64_t no_node_errors = 0;
    std::uint64_t closed_by_role_change = 0;
    std::uint64_t read_only_refusals = 0;
    std::uint64_t auth_failures = 0;
    std::uint64_t rejected_primary = 0;  // refused before their login completed, any reason
    std::uint64_t rejected_replica = 0;
};

class ProxyServer {
public:
    using ReadOnlyReporter = std::function<void(std::string node)>;

    ProxyServer(std::shared_ptr<const conf::Config> config, int workers, ReadOnlyReporter report_read_only);
    ~ProxyServer();
    ProxyServer(const ProxyServer&) = delete;
    ProxyServer& operator=(const ProxyServer&) = delete;

    // Binds every listener and starts the worker threads. Throws std::runtime_error with the
    // address when a listener cannot be bound.
    void start();

    // Thread-safe.
    void publish(health::TopologyPtr topology);
    void update_config(std::shared_ptr<const conf::Config> config);
    // The auth file's users, for the pooling modes; swapped whole on reload.
    void update_users(std::shared_ptr<const auth::UserList> users);
    // TLS contexts for sessions and server connections started from now on.
    void update_tls(std::shared_ptr<const tls::TlsContexts> tls);
    void stop_accepting();
    void close_all_sessions(std::string reason);
    std::size_t active_sessions() const;
    ProxyCounters counters() const;

    // Operators' requests (admin API, admin console); thread-safe.
    ProxyControl& control();
    // The daemon's reload and shutdown, for ProxyControl; set before start().
    void set_daemon_hooks(DaemonHooks hooks);

    // Stops the event loops and joins the threads.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pgfront::proxy
