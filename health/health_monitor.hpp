// HealthMonitor: polls every node's Patroni REST API and publishes topology snapshots.
// The thin I/O shell around TopologyTracker; all its work runs on one strand of `executor`.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "conf/config.hpp"
#include "health/topology.hpp"

// Forward-declared to keep Asio out of this header; the caller, who has an executor, has
// the full type (e.g. <boost/asio/any_io_executor.hpp>).
namespace boost::asio {
class any_io_executor;
}  // namespace boost::asio

namespace pgfront::health {

class HealthMonitor {
  public:
    // Called on the monitor's strand whenever the topology's version changes, and once at
    // start() with the initial (all nodes down) topology. Must not block.
    using OnChange = std::function<void(TopologyPtr)>;

    HealthMonitor(boost::asio::any_io_executor executor, const conf::ClusterConfig& cluster,
                  const conf::HealthConfig& health, OnChange on_change);
    // Calls stop(). Destroy the monitor before the executor's execution context.
    ~HealthMonitor();
    HealthMonitor(const HealthMonitor&) = delete;
    HealthMonitor& operator=(const HealthMonitor&) = delete;

    // Starts polling and discovery. Thread-safe, idempotent; a stopped monitor stays stopped.
    void start();
    // Aborts requests in flight and stops every poll; on_change is not called once stop()
    // has returned (a call already running on another thread may finish). Thread-safe.
    void stop();

    // Thread-safe (posted to the strand).
    void reconfigure(const conf::ClusterConfig& cluster, const conf::HealthConfig& health);
    // The proxy saw in_hot_standby=on on a server it reached as primary: hold it off the
    // primary role (HealthConfig::read_only_hold) and poll that node at once.
    void report_read_only(std::string node);
    void set_drained(std::string node, bool drained);

    // The latest snapshot, never null. Thread-safe.
    TopologyPtr current() const;

  private:
    class Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace pgfront::health
