// Routing decisions on hand-built topology snapshots: which node a new client gets, and
// which sessions must leave a node after the topology moved.
#include <doctest/doctest.h>

#include <map>

#include "proxy/route_choice.hpp"

using namespace pgfront;
using proxy::ListenerRole;

namespace {

health::NodeState node(std::string name, bool primary, bool replica) {
    health::NodeState n;
    n.name = std::move(name);
    n.host = "127.0.0.1";
    n.up = true;
    n.state = "running";
    n.role = primary ? health::Role::primary : health::Role::replica;
    n.eligible_primary = primary;
    n.eligible_replica = replica;
    return n;
}

health::Topology topology(std::vector<health::NodeState> nodes) {
    health::Topology t;
    t.version = 1;
    t.nodes = std::move(nodes);
    return t;
}

struct Loads {
    std::map<std::string, int, std::less<>> sessions;
    proxy::SessionCount counter() const {
        return [this](std::string_view n) {
            auto it = sessions.find(n);
            return it == sessions.end() ? 0 : it->second;
        };
    }
};

const proxy::RoutePolicy fallback{true};
const proxy::RoutePolicy no_fallback{false};

}  // namespace

TEST_CASE("the primary port goes to the eligible primary and nowhere else") {
    Loads loads;
    auto t = topology({node("a", true, false), node("b", false, true), node("c", false, true)});
    const auto* chosen = proxy::choose_node(t, ListenerRole::primary, fallback, loads.counter(), 0);
    REQUIRE(chosen);
    CHECK(chosen->name == "a");

    auto headless = topology({node("b", false, true), node("c", false, true)});
    CHECK(proxy::choose_node(headless, ListenerRole::primary, fallback, loads.counter(), 0) == nullptr);
}

TEST_CASE("replicas are chosen by least connections") {
    Loads loads;
    loads.sessions = {{"b", 5}, {"c", 2}, {"d", 3}};
    auto t = topology({node("a", true, false), node("b", false, true), node("c", false, true), node("d", false, true)});
    for (std::uint64_t rotation = 0; rotation < 6; ++rotation)
        CHECK(proxy::choose_node(t, ListenerRole::replica, fallback, loads.counter(), rotation)->name == "c");
}

TEST_CASE("equally loaded replicas share new clients through the rotation") {
    Loads loads;
    auto t = topology({node("a", true, false), node("b", false, true), node("c", false, true)});
    std::map<std::string, int> picks;
    for (std::uint64_t rotation = 0; rotation < 10; ++rotation)
        ++picks[proxy::choose_node(t, ListenerRole::replica, fallback, loads.counter(), rotation)->name];
    CHECK(picks["b"] == 5);
    CHECK(picks["c"] == 5);
    CHECK(picks.count("a") == 0);
}

TEST_CASE("with no healthy replica the replica port falls back to the primary only when allowed") {
    Loads loads;
    auto t = topology({node("a", true, false), node("b", false, false)});
    CHECK(proxy::choose_node(t, ListenerRole::replica, fallback, loads.counter(), 0)->name == "a");
    CHECK(proxy::choose_node(t, ListenerRole::replica, no_fallback, loads.counter(), 0) == nullptr);
    auto empty = topology({node("b", false, false)});
    CHECK(proxy::choose_node(empty, ListenerRole::replica, fallback, loads.counter(), 0) == nullptr);
}

TEST_CASE("a node that lost the primary role keeps no primary-port sessions") {
    auto before = topology({node("a", true, false), node("b", false, true)});
    CHECK(proxy::node_still_serves(before, ListenerRole::primary, "a"));
    CHECK_FALSE(proxy::node_still_serves(before, ListenerRole::primary, "b"));

    auto after = topology({node("a", false, true), node("b", true, false)});
    CHECK_FALSE(proxy::node_still_serves(after, ListenerRole::primary, "a"));
    CHECK(proxy::node_still_serves(after, ListenerRole::primary, "b"));

    auto headless = topology({node("a", false, false), node("b", false, true)});
    CHECK_FALSE(proxy::node_still_serves(headless, ListenerRole::primary, "a"));
}

TEST_CASE("replica-port sessions stay on eligible replicas and on the primary") {
    auto t = topology({node("a", true, false), node("b", false, true), node("c", false, false)});
    CHECK(proxy::node_still_serves(t, ListenerRole::replica, "b"));
    // A promoted replica is still a valid reader: moving its readers would only break them.
    CHECK(proxy::node_still_serves(t, ListenerRole::replica, "a"));
    // Lagging, tagged noloadbalance, or down: its readers must go.
    CHECK_FALSE(proxy::node_still_serves(t, ListenerRole::replica, "c"));
    CHECK_FALSE(proxy::node_still_serves(t, ListenerRole::replica, "gone"));
}

TEST_CASE("a drained replica keeps its sessions but takes no new work") {
    auto drained = node("b", false, false);
    drained.drained = true;
    drained.replica_when_undrained = true;
    auto t = topology({node("a", true, false), drained, node("c", false, true)});
    CHECK(proxy::node_still_serves(t, ListenerRole::replica, "b"));
    CHECK_FALSE(proxy::node_takes_new_work(t, ListenerRole::replica, "b"));
    CHECK(proxy::node_takes_new_work(t, ListenerRole::replica, "c"));
    CHECK(proxy::node_takes_new_work(t, ListenerRole::replica, "a"));
    // Never on the primary port.
    CHECK_FALSE(proxy::node_still_serves(t, ListenerRole::primary, "b"));
    Loads loads;
    for (std::uint64_t r = 0; r < 4; ++r)
        CHECK(proxy::choose_node(t, ListenerRole::replica, {}, loads.counter(), r)->name == "c");
}
