// ClusterMember: one entry of GET /cluster's "members", and the pure parser used for
// discovering members that the configured seeds do not name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "health/parse_result.hpp"
#include "health/role.hpp"

namespace pgfront::health {

struct ClusterMember {
    std::string name;
    std::string host;        // PostgreSQL host; empty when Patroni did not report one
    std::uint16_t port = 0;  // PostgreSQL port; 0 when not reported
    std::string api_url;     // REST base URL without "/patroni"; empty when not reported
    Role role = Role::unknown;
    std::string role_name;  // "leader", "sync_standby", ... as Patroni spelled it
    std::string state;
    std::optional<std::uint64_t> timeline;
    std::optional<std::uint64_t> lag;  // bytes; Patroni may say "unknown"

    friend bool operator==(const ClusterMember&, const ClusterMember&) = default;
};

// Requires an object with a "members" array of objects, each with a string "name". Other
// member fields are optional but must have the right type when present.
ParseResult<std::vector<ClusterMember>> parse_cluster_members(std::string_view body);

}  // namespace pgfront::health
