// Pure routing decisions over a topology snapshot: which node a new client of a listener
// goes to, and whether a node still serves a listener's sessions after the topology moved.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "health/topology.hpp"
#include "proxy/listener_role.hpp"

namespace pgfront::proxy {

struct RoutePolicy {
    bool replica_fallback_to_primary = true;
};

// Sessions currently bound to a node (for least-connections).
using SessionCount = std::function<int(std::string_view node)>;

// The node a new client of `role` should be sent to, or nullptr when none is eligible.
// Replicas are chosen by least connections; ties rotate with `rotation` so equal nodes
// share new clients.
const health::NodeState* choose_node(const health::Topology& topology, ListenerRole role,
                                     const RoutePolicy& policy, const SessionCount& sessions_on,
                                     std::uint64_t rotation);

// Whether sessions of `role` bound to `node` may stay there. A primary-port session must be
// on the current primary; a replica-port session may stay on any eligible replica or on the
// primary (it is a valid reader, and moving it would only break the client). A drained
// replica still serves the sessions it has: they finish there (proxyctl drain).
bool node_still_serves(const health::Topology& topology, ListenerRole role, std::string_view node);

// Whether new work of `role` (a session, a transaction, a lent server) may go to `node`:
// as node_still_serves, but a drained replica takes nothing new.
bool node_takes_new_work(const health::Topology& topology, ListenerRole role, std::string_view node);

}  // namespace pgfront::proxy
