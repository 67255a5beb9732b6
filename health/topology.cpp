// Read-only queries over a Topology snapshot.
#include "health/topology.hpp"

namespace pgfront::health {

const NodeState* Topology::primary() const {
    const NodeState* found = nullptr;
    for (const auto& n : nodes) {
        if (!n.eligible_primary) continue;
        // The tracker never publishes two; if it ever did, refusing writes is the safe side.
        if (found != nullptr) return nullptr;
        found = &n;
    }
    return found;
}

std::vector<const NodeState*> Topology::replicas() const {
    std::vector<const NodeState*> out;
    for (const auto& n : nodes) {
        if (n.eligible_replica) out.push_back(&n);
    }
    return out;
}

const NodeState* Topology::find(std::string_view name) const {
    for (const auto& n : nodes) {
        if (n.name == name) return &n;
    }
    return nullptr;
}

}  // namespace pgfront::health
