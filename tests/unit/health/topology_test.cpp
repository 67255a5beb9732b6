// Topology's queries: primary(), replicas(), find().
#include "health/topology.hpp"

#include <doctest/doctest.h>

using namespace pgfront::health;

namespace {
NodeState node(const char* name, bool primary, bool replica) {
    NodeState n;
    n.name = name;
    n.eligible_primary = primary;
    n.eligible_replica = replica;
    return n;
}
}  // namespace

TEST_CASE("Topology queries") {
    Topology t;
    t.nodes = {node("a", false, true), node("b", true, false), node("c", false, true),
               node("d", false, false)};
    REQUIRE(t.primary() != nullptr);
    CHECK(t.primary()->name == "b");
    auto replicas = t.replicas();
    REQUIRE(replicas.size() == 2);
    CHECK(replicas[0]->name == "a");
    CHECK(replicas[1]->name == "c");
    CHECK(t.find("d") == &t.nodes[3]);
    CHECK(t.find("e") == nullptr);
}

TEST_CASE("Topology::primary refuses to pick between two flagged primaries") {
    Topology t;
    t.nodes = {node("a", true, false), node("b", true, false)};
    CHECK(t.primary() == nullptr);
    Topology empty;
    CHECK(empty.primary() == nullptr);
    CHECK(empty.replicas().empty());
}
