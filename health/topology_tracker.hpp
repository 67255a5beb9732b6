// TopologyTracker: the pure state machine that turns Patroni answers into Topology snapshots:
// fall/rise, role changes, one primary at most, replica lag, drain and read-only holds.
// No I/O and no clock: `now` is a parameter, so every rule is unit-tested without sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "conf/config.hpp"
#include "health/cluster_members.hpp"
#include "health/patroni_status.hpp"
#include "health/topology.hpp"
#include "health/tracker_event.hpp"

namespace pgfront::health {

// Rules (see also the tests, which read as a table of them):
// - up/down: a node goes down after `fall` consecutive failures and comes back after `rise`
//   consecutive successes; fewer failures keep the previous answer and eligibility.
// - Eligible for anything only when up and the last successful answer says "running".
// - Losing a role takes effect on the first answer that says so; gaining the primary role
//   needs `rise` consecutive running-primary answers.
// - At most one primary: the higher timeline wins, then the current primary, then the
//   lowest name; the conflict is recorded as an error event.
// - Replicas: role replica or standby_leader, no noloadbalance tag, not drained, and lag
//   within max_replica_lag when the primary's position is known.
// - Drained replicas get no new work; a drained primary stays the primary (writes have
//   nowhere else to go until Patroni moves the leader). `pause` is only reported.
class TopologyTracker {
  public:
    using Clock = std::chrono::steady_clock;
    using TimePoint = Clock::time_point;

    TopologyTracker(const conf::HealthConfig& config, std::vector<conf::NodeSeed> seeds);

    // Every mutator returns true when the published topology changed (its version grew).
    // Unknown node names are ignored (false).

    // A successful GET /patroni (HTTP 200, parsed).
    bool observe(std::string_view node, const PatroniStatus& status, TimePoint now);
    // Timeout, connection error, HTTP status other than 200, unparsable body.
    bool observe_failure(std::string_view node, std::string reason, TimePoint now);
    // Discovery: adds members the tracker does not know (needs name, host and api_url) and
    // follows address changes of discovered ones. Configured seeds are never overridden, and
    // a member whose api URL a node of another name already has is that node (a seed named
    // differently from its Patroni member), not a new one.
    bool add_members(const std::vector<ClusterMember>& members, TimePoint now);
    // The proxy logged in to this "primary" and saw in_hot_standby=on: not primary for
    // read_only_hold, unless Patroni reports another role, timeline or postmaster start.
    bool on_read_only_primary(std::string_view node, TimePoint now);
    bool set_drained(std::string_view node, bool drained);
    // How long a check took and whether it got a usable answer: history and metrics only,
    // never routing (observe/observe_failure decide that). Call it before them.
    void note_check(std::string_view node, double seconds, bool ok, std::string error, TimePoint now);
    static constexpr std::size_t history_length = 10;
    // Expires read-only holds; call at next_deadline().
    bool tick(TimePoint now);
    // Seeds are replaced; nodes whose name remains keep their state (health state is reset
    // when their api URL changes); discovered nodes stay unless a seed takes their name.
    bool reconfigure(const conf::HealthConfig& config, std::vector<conf::NodeSeed> seeds);
    // Drops discovered nodes (discovery switched off).
    bool forget_discovered();

    TopologyPtr snapshot() const;
    // Events recorded since the last call, oldest first.
    std::vector<TrackerEvent> take_events();
    // Where every known node is, seeds and discovered, sorted by name.
    std::vector<conf::NodeSeed> endpoints() const;
    // The earliest time tick() has something to do.
    std::optional<TimePoint> next_deadline() const;
    const conf::HealthConfig& config() const { return config_; }

  private:
    struct ReadOnlyHold {
        TimePoint until;
        Role role = Role::unknown;
        std::uint64_t timeline = 0;
        std::string postmaster_start_time;
    };

    // What a node publishes that routing depends on; a difference bumps the version.
    struct Routing {
        std::string host;
        std::uint16_t port = 0;
        std::string api;
        Role role = Role::unknown;
        std::string state;
        std::uint64_t timeline = 0;
        bool up = false;
        bool eligible_primary = false;
        bool eligible_replica = false;
        bool noloadbalance = false;
        bool nofailover = false;
        bool drained = false;
        bool pause = false;
        bool read_only_hold = false;
        bool discovered = false;
        friend bool operator==(const Routing&, const Routing&) = default;
    };

    struct Node {
        explicit Node(conf::NodeSeed s, bool from_discovery = false)
            : seed(std::move(s)), discovered(from_discovery) {}

        conf::NodeSeed seed;
        bool discovered = false;
        std::optional<PatroniStatus> last;  // last successful answer
        TimePoint last_answer{};
        TimePoint last_check{};
        std::string last_error;
        bool up = false;
        int failures = 0;
        int successes = 0;
        int primary_streak = 0;          // consecutive running-primary answers
        bool primary_confirmed = false;  // streak reached rise, not lost since
        bool drained = false;
        std::optional<ReadOnlyHold> hold;
        std::deque<CheckRecord> history;
        metrics::DurationHistogram check_seconds;
        std::uint64_t checks_failed = 0;
        // The node's own reported positions while primary, to compare a replica's
        // position with the primary's at about the same moment.
        std::deque<std::pair<TimePoint, std::uint64_t>> wal_history;
        // Derived by publish().
        bool eligible_primary = false;
        bool eligible_replica = false;
        bool replica_when_undrained = false;
        std::optional<std::uint64_t> lag;
        Routing published;
    };

    Node* find(std::string_view name);
    bool is_primary_candidate(const Node& n) const;
    const Node* elect_primary();
    std::string replica_exclusion(const Node& n, bool count_drain = true) const;
    std::string primary_exclusion(const Node& n, const Node* acting) const;
    Routing routing_of(const Node& n) const;
    void reset_health(Node& n);
    void expire_holds(TimePoint now);
    void sort_nodes();
    // Recomputes eligibility; bumps the version and records events when routing changed.
    bool publish(bool membership_changed);
    void record(TrackerEvent::Level level, std::string node, std::string message);

    conf::HealthConfig config_;
    std::vector<Node> nodes_;  // sorted by name
    std::uint64_t version_ = 0;
    std::string acting_primary_;     // last election winner (drained or not)
    std::string published_primary_;  // last eligible primary, for the "no primary" event
    std::string conflict_;           // last two-primary conflict recorded
    std::vector<TrackerEvent> events_;
    mutable TopologyPtr cached_;
};

}  // namespace pgfront::health
