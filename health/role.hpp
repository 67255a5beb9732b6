// The role a Patroni node plays, and the mapping from the role names Patroni's REST API uses.
// GET /patroni and GET /cluster name roles differently, so each has its own mapping.
#pragma once

#include <cstdint>
#include <string_view>

namespace pgfront::health {

enum class Role : std::uint8_t { unknown, primary, replica, standby_leader };

std::string_view to_string(Role role);

// GET /patroni "role": "master" (Patroni 3.x) and "primary" (4.x) are the same thing.
// Transitional names ("demoted", "promoted", "uninitialized") are Role::unknown: a node in
// such a state must not receive traffic.
Role role_from_patroni(std::string_view name);

// GET /cluster member "role": "leader", "standby_leader", "replica", "sync_standby",
// "quorum_standby" (4.x).
Role role_from_cluster(std::string_view name);

}  // namespace pgfront::health
