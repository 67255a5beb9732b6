// PatroniStatus: one node's answer to GET /patroni (same body as GET /), and its pure parser.
// Fields follow Patroni's names; see /work/shared/DESIGN.md "Patroni REST API".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "health/parse_result.hpp"
#include "health/role.hpp"

namespace pgfront::health {

struct PatroniStatus {
    // PostgreSQL's state as Patroni sees it: "running", "starting", "stopped", "crashed",
    // "restarting", "unknown" (Patroni could not query it), ...
    std::string state;
    Role role = Role::unknown;
    std::string role_name;       // as Patroni spelled it, for logs ("master", "demoted", ...)
    std::uint64_t timeline = 0;  // 0: not reported (e.g. PostgreSQL not running)
    std::optional<std::uint64_t> wal_location;       // xlog.location, primary only
    std::optional<std::uint64_t> received_location;  // xlog.received_location, replicas
    std::optional<std::uint64_t> replayed_location;  // xlog.replayed_location, replicas
    bool pause = false;                              // cluster in maintenance mode
    bool noloadbalance = false;                      // tags.noloadbalance
    bool nofailover = false;        // tags.nofailover, or tags.failover_priority <= 0 (4.x)
    bool cluster_unlocked = false;  // nobody holds the leader lock
    std::string replication_state;  // "streaming", "in archive recovery" (3.0.4+), else empty
    std::string postmaster_start_time;
    std::string patroni_version;
    std::string scope;
    std::string name;  // patroni.name: 4.x only

    friend bool operator==(const PatroniStatus&, const PatroniStatus&) = default;
};

// Requires a JSON object with string "state" and "role"; every other field is optional
// (Patroni leaves most out when PostgreSQL is down) but must have the right type when given.
// JSON null counts as absent. An unknown role name is Role::unknown, not an error.
ParseResult<PatroniStatus> parse_patroni_status(std::string_view body);

}  // namespace pgfront::health
