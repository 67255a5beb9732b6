// Topology: an immutable snapshot of every node's health and what it may be used for.
// Built by TopologyTracker; readers (proxy, admin, VRRP) share it through TopologyPtr.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "health/role.hpp"
#include "metrics/duration_histogram.hpp"

namespace pgfront::health {

// One health check of a node, for the operator's view of its recent history.
struct CheckRecord {
    std::chrono::steady_clock::time_point at{};
    bool ok = false;
    double seconds = 0;
    std::string error;  // empty when ok
};

struct NodeState {
    std::string name;
    std::string host;  // PostgreSQL address
    std::uint16_t port = 0;
    std::string api;  // Patroni REST base URL
    // Role, state and timeline come from the last successful answer (unknown/"" before
    // one), so a node that is `up == false` still shows what it last said.
    Role role = Role::unknown;
    std::string state;
    bool up = false;                // REST answers per fall/rise
    bool eligible_primary = false;  // the one node new read-write sessions go to
    bool eligible_replica = false;  // may receive new read-only sessions
    bool noloadbalance = false;
    bool drained = false;                    // operator asked for no new work on this node
    // Would be an eligible replica but for the drain: its running sessions may finish there.
    bool replica_when_undrained = false;
    std::optional<std::uint64_t> lag_bytes;  // behind the primary's last reported position
    std::uint64_t timeline = 0;
    std::chrono::steady_clock::time_point last_check{};
    std::string last_error;  // empty after a successful answer
    int consecutive_failures = 0;
    int consecutive_successes = 0;
    // Reported only; none of these changes routing on its own.
    bool nofailover = false;
    bool pause = false;           // Patroni maintenance mode
    bool read_only_hold = false;  // a server said in_hot_standby=on; not primary for a while
    bool discovered = false;      // learnt from GET /cluster rather than configured
    std::string patroni_version;
    // The last checks, oldest first (at most TopologyTracker's history_length), and every
    // check's duration and outcome since the node became known.
    std::vector<CheckRecord> history;
    metrics::DurationHistogram check_seconds;
    std::uint64_t checks_failed = 0;
};

struct Topology {
    // Counts routing-relevant changes (membership, up/down, role, state, eligibility, drain,
    // timeline, tags). Details such as lag_bytes and last_check can be fresher in a later
    // snapshot that carries the same version.
    std::uint64_t version = 0;
    std::vector<NodeState> nodes;  // sorted by name

    // The single eligible primary, or nullptr.
    const NodeState* primary() const;
    // Eligible replicas, in `nodes` order.
    std::vector<const NodeState*> replicas() const;
    const NodeState* find(std::string_view name) const;
};

using TopologyPtr = std::shared_ptr<const Topology>;

}  // namespace pgfront::health
