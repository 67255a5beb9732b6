// Role names to and from Patroni's spelling.
#include "health/role.hpp"

namespace pgfront::health {

std::string_view to_string(Role role) {
    switch (role) {
        case Role::primary:
            return "primary";
        case Role::replica:
            return "replica";
        case Role::standby_leader:
            return "standby_leader";
        case Role::unknown:
            break;
    }
    return "unknown";
}

Role role_from_patroni(std::string_view name) {
    if (name == "master" || name == "primary") return Role::primary;
    if (name == "replica") return Role::replica;
    if (name == "standby_leader") return Role::standby_leader;
    return Role::unknown;
}

Role role_from_cluster(std::string_view name) {
    if (name == "leader" || name == "master" || name == "primary") return Role::primary;
    if (name == "standby_leader") return Role::standby_leader;
    if (name == "replica" || name == "sync_standby" || name == "quorum_standby") {
        return Role::replica;
    }
    return Role::unknown;
}

}  // namespace pgfront::health
