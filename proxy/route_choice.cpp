// Routing decisions (see route_choice.hpp).
#include "proxy/route_choice.hpp"

#include <limits>

namespace pgfront::proxy {

const health::NodeState* choose_node(const health::Topology& topology, ListenerRole role,
                                     const RoutePolicy& policy, const SessionCount& sessions_on,
                                     std::uint64_t rotation) {
    const auto* primary = topology.primary();
    if (role == ListenerRole::primary) return primary;

    const auto replicas = topology.replicas();
    if (replicas.empty()) return policy.replica_fallback_to_primary ? primary : nullptr;

    const health::NodeState* best = nullptr;
    int best_load = std::numeric_limits<int>::max();
    const auto n = replicas.size();
    for (std::size_t i = 0; i < n; ++i) {
        const auto* candidate = replicas[(i + rotation) % n];
        const int load = sessions_on(candidate->name);
        if (load < best_load) {
            best = candidate;
            best_load = load;
        }
    }
    return best;
}

bool node_takes_new_work(const health::Topology& topology, ListenerRole role, std::string_view node) {
    const auto* primary = topology.primary();
    const bool is_primary = primary && primary->name == node;
    if (role == ListenerRole::primary) return is_primary;
    if (is_primary) return true;
    const auto* n = topology.find(node);
    return n != nullptr && n->eligible_replica;
}

bool node_still_serves(const health::Topology& topology, ListenerRole role, std::string_view node) {
    if (node_takes_new_work(topology, role, node)) return true;
    if (role == ListenerRole::primary) return false;
    const auto* n = topology.find(node);
    return n != nullptr && n->replica_when_undrained;
}

}  // namespace pgfront::proxy
