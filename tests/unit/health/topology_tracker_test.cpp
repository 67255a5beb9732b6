// TopologyTracker decision rules, driven with a fake clock: fall/rise, role changes, one
// primary, lag, drain, read-only holds, discovery and reconfiguration.
#include "health/topology_tracker.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "lab_json.hpp"
#include "tracker_fixture.hpp"

using namespace pgfront;
using namespace pgfront::health;
using namespace pgfront::health::test;

namespace {

using Names = std::vector<std::string>;

// pg1 primary, pg2 and pg3 replicas, each answered once at kT0.
TopologyTracker healthy_cluster(const conf::HealthConfig& config = health_config()) {
    TopologyTracker t(config, three_seeds());
    for (int i = 0; i < std::max(1, config.rise); ++i) {
        t.observe("pg1", primary_status(), kT0);
        t.observe("pg2", replica_status(), kT0);
        t.observe("pg3", replica_status(), kT0);
    }
    t.take_events();
    return t;
}

bool has_event(const std::vector<TrackerEvent>& events, TrackerEvent::Level level,
               const std::string& node, const std::string& text) {
    return std::any_of(events.begin(), events.end(), [&](const TrackerEvent& e) {
        return e.level == level && e.node == node && e.message.find(text) != std::string::npos;
    });
}

}  // namespace

TEST_CASE("a new tracker knows its seeds, all down, nothing eligible") {
    TopologyTracker t(health_config(), three_seeds());
    auto snap = t.snapshot();
    CHECK(snap->version == 1);
    REQUIRE(snap->nodes.size() == 3);
    CHECK(snap->nodes[0].name == "pg1");
    CHECK(snap->nodes[0].host == "127.0.0.1");
    CHECK(snap->nodes[0].port == 5432);
    CHECK(snap->nodes[0].api == "http://127.0.0.1:8008");
    for (const auto& n : snap->nodes) {
        CHECK_FALSE(n.up);
        CHECK(n.role == Role::unknown);
        CHECK_FALSE(n.eligible_primary);
        CHECK_FALSE(n.eligible_replica);
    }
    CHECK(snap->primary() == nullptr);
    CHECK(snap->replicas().empty());
    CHECK(snap->find("pg2") != nullptr);
    CHECK(snap->find("nope") == nullptr);
}

TEST_CASE("first answers make a healthy cluster routable (rise 1)") {
    TopologyTracker t(health_config(), three_seeds());
    CHECK(t.observe("pg1", primary_status(), kT0));
    CHECK(t.observe("pg2", replica_status(), kT0));
    CHECK(t.observe("pg3", replica_status(), kT0));
    auto snap = t.snapshot();
    CHECK(snap->version == 4);
    CHECK(primary_name(*snap) == "pg1");
    CHECK(replica_names(*snap) == Names{"pg2", "pg3"});
    CHECK(snap->find("pg2")->lag_bytes == 0u);
    CHECK_FALSE(snap->find("pg1")->lag_bytes.has_value());
    CHECK(snap->find("pg1")->consecutive_successes == 1);
    CHECK(snap->find("pg1")->last_check == kT0);

    // The same answer again changes nothing that routing depends on.
    CHECK_FALSE(t.observe("pg1", primary_status(), kT0 + 500ms));
    CHECK(t.snapshot()->version == 4);
    CHECK(t.snapshot()->find("pg1")->consecutive_successes == 2);
    CHECK(t.snapshot()->find("pg1")->last_check == kT0 + 500ms);
}

TEST_CASE("fall: failures below fall keep eligibility, fall failures take the node down") {
    for (int fall : {1, 2, 3, 5}) {
        CAPTURE(fall);
        auto t = healthy_cluster(health_config(fall));
        auto at = kT0;
        for (int i = 1; i < fall; ++i) {
            at += 500ms;
            CHECK_FALSE(t.observe_failure("pg1", "timed out after 1000ms", at));
            CHECK(primary_name(*t.snapshot()) == "pg1");
            CHECK(t.snapshot()->find("pg1")->consecutive_failures == i);
            CHECK(t.snapshot()->find("pg1")->last_error == "timed out after 1000ms");
        }
        CHECK(t.observe_failure("pg1", "connect: Connection refused", at + 500ms));
        auto snap = t.snapshot();
        CHECK(snap->primary() == nullptr);
        CHECK_FALSE(snap->find("pg1")->up);
        CHECK(snap->find("pg1")->role == Role::primary);  // what it last said
        CHECK(has_event(t.take_events(), TrackerEvent::Level::warning, "pg1", "down after"));

        // Further failures are not news.
        CHECK_FALSE(t.observe_failure("pg1", "connect: Connection refused", at + 1s));
        CHECK(t.take_events().empty());
    }
}

TEST_CASE("a replica REST blip below fall keeps it in the replica set") {
    auto t = healthy_cluster(health_config(3));
    CHECK_FALSE(t.observe_failure("pg2", "HTTP 503", kT0 + 500ms));
    CHECK_FALSE(t.observe_failure("pg2", "read: end of stream", kT0 + 1s));
    CHECK(replica_names(*t.snapshot()) == Names{"pg2", "pg3"});
    CHECK_FALSE(t.observe("pg2", replica_status(), kT0 + 1500ms));
    CHECK(t.snapshot()->find("pg2")->consecutive_failures == 0);
    CHECK(t.snapshot()->find("pg2")->last_error.empty());
}

TEST_CASE("rise: a down node needs rise answers in a row to come back") {
    for (int rise : {1, 2, 3}) {
        CAPTURE(rise);
        auto t = healthy_cluster(health_config(2, rise));
        t.observe_failure("pg2", "refused", kT0 + 1s);
        t.observe_failure("pg2", "refused", kT0 + 2s);
        REQUIRE(replica_names(*t.snapshot()) == Names{"pg3"});
        for (int i = 1; i < rise; ++i) {
            CHECK_FALSE(t.observe("pg2", replica_status(), kT0 + 3s));
            CHECK(replica_names(*t.snapshot()) == Names{"pg3"});
        }
        CHECK(t.observe("pg2", replica_status(), kT0 + 4s));
        CHECK(replica_names(*t.snapshot()) == Names{"pg2", "pg3"});
        CHECK(t.snapshot()->find("pg2")->up);
    }
}

TEST_CASE("a failure between successes restarts rise") {
    auto t = healthy_cluster(health_config(1, 2));
    t.observe_failure("pg2", "refused", kT0 + 1s);
    t.observe("pg2", replica_status(), kT0 + 2s);
    t.observe_failure("pg2", "refused", kT0 + 3s);
    t.observe("pg2", replica_status(), kT0 + 4s);
    CHECK_FALSE(t.snapshot()->find("pg2")->up);
    t.observe("pg2", replica_status(), kT0 + 5s);
    CHECK(t.snapshot()->find("pg2")->up);
}

TEST_CASE("losing the primary role takes effect at once, whatever fall is") {
    auto t = healthy_cluster(health_config(5));
    CHECK(t.observe("pg1", replica_status(), kT0 + 1s));
    auto snap = t.snapshot();
    CHECK(snap->primary() == nullptr);
    CHECK(snap->find("pg1")->role == Role::replica);
    CHECK(replica_names(*snap) == Names{"pg1", "pg2", "pg3"});
    auto events = t.take_events();
    CHECK(has_event(events, TrackerEvent::Level::warning, "pg1", "no longer the primary"));
    CHECK(has_event(events, TrackerEvent::Level::warning, "", "no eligible primary"));
}

TEST_CASE("a primary whose PostgreSQL is not running is not used, and must rise again") {
    // The lab's kill -9 case: Patroni restarts PostgreSQL while the node keeps the lock.
    for (const char* state : {"starting", "restarting", "stopped", "crashed", "unknown"}) {
        CAPTURE(state);
        auto t = healthy_cluster(health_config(3, 2));
        CHECK(t.observe("pg1", with_state(primary_status(), state), kT0 + 1s));
        CHECK(t.snapshot()->primary() == nullptr);
        CHECK(t.snapshot()->find("pg1")->up);                 // REST answers; PostgreSQL does not
        CHECK(t.observe("pg1", primary_status(), kT0 + 2s));  // state changed back
        CHECK(t.snapshot()->primary() == nullptr);
        CHECK(t.observe("pg1", primary_status(), kT0 + 3s));
        CHECK(primary_name(*t.snapshot()) == "pg1");
    }
}

TEST_CASE("failover: the new primary needs rise primary answers") {
    auto t = healthy_cluster(health_config(2, 3));
    // Old primary pg1 dies; pg2 is promoted on timeline 2.
    t.observe_failure("pg1", "refused", kT0 + 1s);
    t.observe_failure("pg1", "refused", kT0 + 2s);
    CHECK(t.snapshot()->primary() == nullptr);
    CHECK(t.observe("pg2", primary_status(2, 200'000'000), kT0 + 2100ms));  // role changed
    CHECK_FALSE(t.snapshot()->find("pg2")->eligible_replica);
    CHECK_FALSE(t.observe("pg2", primary_status(2, 200'000'000), kT0 + 2200ms));
    CHECK(t.snapshot()->primary() == nullptr);
    CHECK(t.observe("pg2", primary_status(2, 200'000'000), kT0 + 2300ms));
    CHECK(primary_name(*t.snapshot()) == "pg2");
    CHECK(has_event(t.take_events(), TrackerEvent::Level::info, "pg2", "now the primary"));
}

TEST_CASE("a failure while gaining the primary role restarts the count") {
    auto t = healthy_cluster(health_config(3, 2));
    t.observe("pg1", replica_status(), kT0 + 1s);
    t.observe("pg2", primary_status(2), kT0 + 1s);
    t.observe_failure("pg2", "timed out", kT0 + 2s);
    t.observe("pg2", primary_status(2), kT0 + 3s);
    CHECK(t.snapshot()->primary() == nullptr);
    t.observe("pg2", primary_status(2), kT0 + 4s);
    CHECK(primary_name(*t.snapshot()) == "pg2");
}

TEST_CASE("a confirmed primary survives a failure below fall") {
    auto t = healthy_cluster(health_config(2, 2));
    t.observe_failure("pg1", "timed out", kT0 + 1s);
    CHECK(primary_name(*t.snapshot()) == "pg1");
    CHECK_FALSE(t.observe("pg1", primary_status(), kT0 + 2s));
    CHECK(primary_name(*t.snapshot()) == "pg1");
}

TEST_CASE("never two primaries") {
    struct Row {
        const char* what;
        std::uint64_t pg1_timeline;
        std::uint64_t pg2_timeline;
        bool pg2_first;  // pg2 was the primary before pg1 also claimed the role
        const char* winner;
    };
    const std::vector<Row> rows = {
        {"higher timeline wins over the incumbent", 1, 2, false, "pg2"},
        {"higher timeline wins, other order", 3, 2, true, "pg1"},
        {"tie keeps the incumbent pg1", 2, 2, false, "pg1"},
        {"tie keeps the incumbent pg2", 2, 2, true, "pg2"},
    };
    for (const auto& row : rows) {
        CAPTURE(row.what);
        TopologyTracker t(health_config(), three_seeds());
        if (row.pg2_first) {
            t.observe("pg2", primary_status(row.pg2_timeline), kT0);
            t.observe("pg1", primary_status(row.pg1_timeline), kT0 + 1s);
        } else {
            t.observe("pg1", primary_status(row.pg1_timeline), kT0);
            t.observe("pg2", primary_status(row.pg2_timeline), kT0 + 1s);
        }
        auto snap = t.snapshot();
        CHECK(primary_name(*snap) == row.winner);
        CHECK(std::count_if(snap->nodes.begin(), snap->nodes.end(),
                            [](const NodeState& n) { return n.eligible_primary; }) == 1);
        auto events = t.take_events();
        CHECK(has_event(events, TrackerEvent::Level::error, "", "more than one node"));

        // Logged once while the conflict lasts.
        t.observe("pg1", primary_status(row.pg1_timeline), kT0 + 2s);
        t.observe("pg2", primary_status(row.pg2_timeline), kT0 + 2s);
        CHECK_FALSE(has_event(t.take_events(), TrackerEvent::Level::error, "", "more than one"));

        // One of them steps down: resolved.
        t.observe(row.winner == std::string("pg1") ? "pg2" : "pg1", replica_status(), kT0 + 3s);
        CHECK(primary_name(*t.snapshot()) == row.winner);
        CHECK(has_event(t.take_events(), TrackerEvent::Level::info, "", "only one node"));
    }
}

TEST_CASE("two primaries on one timeline: the incumbent, else the lowest name") {
    TopologyTracker t(health_config(2, 2), three_seeds());
    t.observe("pg2", primary_status(4), kT0);
    t.observe("pg1", primary_status(4), kT0);
    CHECK(t.snapshot()->primary() == nullptr);  // neither has risen yet
    t.observe("pg2", primary_status(4), kT0 + 1s);
    CHECK(primary_name(*t.snapshot()) == "pg2");
    t.observe("pg1", primary_status(4), kT0 + 1s);
    CHECK(primary_name(*t.snapshot()) == "pg2");  // incumbent beats the lower name

    // The incumbent steps down while two others claim the role: no incumbent left.
    TopologyTracker u(health_config(), three_seeds());
    u.observe("pg1", primary_status(4), kT0);
    u.observe("pg3", primary_status(4), kT0);
    u.observe("pg2", primary_status(4), kT0);
    CHECK(primary_name(*u.snapshot()) == "pg1");
    u.observe("pg1", replica_status(), kT0 + 1s);
    CHECK(primary_name(*u.snapshot()) == "pg2");
}

TEST_CASE("replica lag: primary position minus the replica's furthest position") {
    constexpr std::uint64_t MB = 1024 * 1024;
    struct Row {
        const char* what;
        std::uint64_t received;
        std::uint64_t replayed;
        std::uint64_t lag;
        bool eligible;
    };
    const std::uint64_t primary_pos = 100 * MB;
    const std::vector<Row> rows = {
        {"caught up", primary_pos, primary_pos, 0, true},
        {"exactly max_replica_lag", primary_pos - MB, primary_pos - 2 * MB, MB, true},
        {"one byte over", primary_pos - MB - 1, primary_pos - MB - 1, MB + 1, false},
        {"received ahead of replayed counts", primary_pos, primary_pos - 50 * MB, 0, true},
        {"replayed ahead of received counts", primary_pos - 50 * MB, primary_pos - 10, 10, true},
        {"far behind", primary_pos - 50 * MB, primary_pos - 60 * MB, 50 * MB, false},
        {"ahead of the primary's last report", primary_pos + MB, primary_pos + MB, 0, true},
    };
    for (const auto& row : rows) {
        CAPTURE(row.what);
        TopologyTracker t(health_config(), three_seeds());
        t.observe("pg1", primary_status(1, primary_pos), kT0);
        t.observe("pg2", replica_status(row.received, row.replayed), kT0);
        auto snap = t.snapshot();
        CHECK(snap->find("pg2")->lag_bytes == row.lag);
        CHECK(snap->find("pg2")->eligible_replica == row.eligible);
    }
}

TEST_CASE("a lagging replica comes back when it catches up") {
    auto t = healthy_cluster();
    CHECK(t.observe("pg2", replica_status(90'000'000, 90'000'000), kT0 + 1s));
    CHECK(replica_names(*t.snapshot()) == Names{"pg3"});
    CHECK(has_event(t.take_events(), TrackerEvent::Level::info, "pg2", "lag 10000000 bytes"));
    CHECK(t.observe("pg2", replica_status(), kT0 + 2s));
    CHECK(replica_names(*t.snapshot()) == Names{"pg2", "pg3"});
}

TEST_CASE("unknown primary position never excludes a replica on lag") {
    SUBCASE("no primary at all") {
        TopologyTracker t(health_config(), three_seeds());
        t.observe("pg2", replica_status(1, 1), kT0);
        CHECK(replica_names(*t.snapshot()) == Names{"pg2"});
        CHECK_FALSE(t.snapshot()->find("pg2")->lag_bytes.has_value());
    }
    SUBCASE("primary without xlog.location") {
        TopologyTracker t(health_config(), three_seeds());
        auto p = primary_status();
        p.wal_location.reset();
        t.observe("pg1", p, kT0);
        t.observe("pg2", replica_status(1, 1), kT0);
        CHECK(replica_names(*t.snapshot()) == Names{"pg2"});
        CHECK_FALSE(t.snapshot()->find("pg2")->lag_bytes.has_value());
    }
    SUBCASE("replica without positions") {
        TopologyTracker t(health_config(), three_seeds());
        t.observe("pg1", primary_status(), kT0);
        auto r = replica_status();
        r.received_location.reset();
        r.replayed_location.reset();
        t.observe("pg2", r, kT0);
        CHECK(replica_names(*t.snapshot()) == Names{"pg2"});
    }
    SUBCASE("primary down") {
        auto t = healthy_cluster();
        t.observe_failure("pg1", "refused", kT0 + 1s);
        t.observe_failure("pg1", "refused", kT0 + 2s);
        t.observe("pg2", replica_status(1, 1), kT0 + 2s);
        CHECK(replica_names(*t.snapshot()) == Names{"pg2", "pg3"});
    }
}

TEST_CASE("lag compares with the primary's position at the replica's answer, not later") {
    // Polls are not simultaneous: the primary's newer position must not make a replica
    // that was current when it answered look behind.
    TopologyTracker t(health_config(), three_seeds());
    t.observe("pg1", primary_status(1, 100'000'000), kT0);
    t.observe("pg2", replica_status(100'000'000, 100'000'000), kT0 + 100ms);
    CHECK(t.observe("pg3", replica_status(), kT0 + 100ms));
    t.observe("pg1", primary_status(1, 150'000'000), kT0 + 500ms);
    CHECK(t.snapshot()->find("pg2")->lag_bytes == 0u);
    CHECK(replica_names(*t.snapshot()) == Names{"pg2", "pg3"});
    // The replica's next answer is compared with the primary's newer position.
    t.observe("pg2", replica_status(120'000'000, 120'000'000), kT0 + 600ms);
    CHECK(t.snapshot()->find("pg2")->lag_bytes == 30'000'000u);
    CHECK(replica_names(*t.snapshot()) == Names{"pg3"});
}

TEST_CASE("max_replica_lag comes from the configuration") {
    auto config = health_config();
    config.max_replica_lag = 0;
    auto t = healthy_cluster(config);
    t.observe("pg2", replica_status(99'999'999, 99'999'999), kT0 + 1s);
    CHECK(replica_names(*t.snapshot()) == Names{"pg3"});
}

TEST_CASE("noloadbalance keeps a replica out of the replica set") {
    auto t = healthy_cluster();
    auto r = replica_status();
    r.noloadbalance = true;
    CHECK(t.observe("pg3", r, kT0 + 1s));
    CHECK(replica_names(*t.snapshot()) == Names{"pg2"});
    CHECK(t.snapshot()->find("pg3")->noloadbalance);
    CHECK(t.snapshot()->find("pg3")->up);
}

TEST_CASE("standby_leader is a read target, never the primary") {
    TopologyTracker t(health_config(), three_seeds());
    auto s = replica_status();
    s.role = Role::standby_leader;
    s.role_name = "standby_leader";
    t.observe("pg1", s, kT0);
    t.observe("pg2", replica_status(), kT0);
    auto snap = t.snapshot();
    CHECK(snap->primary() == nullptr);
    CHECK(replica_names(*snap) == Names{"pg1", "pg2"});
    CHECK(snap->find("pg1")->role == Role::standby_leader);
}

TEST_CASE("transitional roles are eligible for nothing") {
    auto t = healthy_cluster();
    auto s = primary_status();
    s.role = Role::unknown;
    s.role_name = "demoted";
    t.observe("pg1", s, kT0 + 1s);
    t.observe("pg3", s, kT0 + 1s);
    CHECK(t.snapshot()->primary() == nullptr);
    CHECK(replica_names(*t.snapshot()) == Names{"pg2"});
}

TEST_CASE("drained replicas get no new work; a drained primary stays the primary") {
    auto t = healthy_cluster();
    CHECK(t.set_drained("pg2", true));
    CHECK_FALSE(t.set_drained("pg2", true));
    CHECK(replica_names(*t.snapshot()) == Names{"pg3"});
    CHECK(t.snapshot()->find("pg2")->drained);
    // Its running sessions may finish: it would serve but for the drain.
    CHECK(t.snapshot()->find("pg2")->replica_when_undrained);
    CHECK_FALSE(t.snapshot()->find("pg2")->eligible_replica);

    // Writes have nowhere else to go until Patroni moves the leader.
    CHECK(t.set_drained("pg1", true));
    CHECK(primary_name(*t.snapshot()) == "pg1");
    // And it does not let a second primary win.
    t.observe("pg2", primary_status(1), kT0 + 1s);
    CHECK(primary_name(*t.snapshot()) == "pg1");
    // A drained replica that stops being a replica no longer counts as one at all.
    CHECK_FALSE(t.snapshot()->find("pg2")->replica_when_undrained);

    t.observe("pg2", replica_status(), kT0 + 2s);
    t.observe("pg3", replica_status(), kT0 + 2s);
    CHECK(t.set_drained("pg1", false));
    CHECK(t.set_drained("pg2", false));
    CHECK(primary_name(*t.snapshot()) == "pg1");
    CHECK(replica_names(*t.snapshot()) == Names{"pg2", "pg3"});
    CHECK_FALSE(t.set_drained("nope", true));
}

TEST_CASE("check history keeps the last checks, and durations and failures are counted") {
    auto t = healthy_cluster();
    for (int i = 0; i < 12; ++i) t.note_check("pg1", 0.002, i % 3 != 0, i % 3 != 0 ? "" : "timeout", kT0 + 1s * i);
    t.note_check("nope", 1, false, "x", kT0);
    const auto* n = t.snapshot()->find("pg1");
    REQUIRE(n->history.size() == TopologyTracker::history_length);
    CHECK(n->history.back().at == kT0 + 11s);
    CHECK(n->history.front().at == kT0 + 2s);
    CHECK(n->checks_failed == 4);
    CHECK(n->check_seconds.count() == 12);
    CHECK(n->history[1].error == "timeout");  // i = 3
    CHECK_FALSE(n->history[1].ok);
}

TEST_CASE("pause (maintenance mode) is reported and changes no routing") {
    auto t = healthy_cluster();
    auto p = primary_status();
    p.pause = true;
    CHECK(t.observe("pg1", p, kT0 + 1s));  // reported: a new version
    CHECK(t.snapshot()->find("pg1")->pause);
    CHECK(primary_name(*t.snapshot()) == "pg1");
    CHECK(replica_names(*t.snapshot()) == Names{"pg2", "pg3"});
}

TEST_CASE("read-only primary: held off the primary role until read_only_hold passes") {
    auto t = healthy_cluster();
    CHECK(t.on_read_only_primary("pg1", kT0 + 1s));
    CHECK(t.snapshot()->primary() == nullptr);
    CHECK(t.snapshot()->find("pg1")->read_only_hold);
    CHECK(t.next_deadline() == kT0 + 6s);
    CHECK(has_event(t.take_events(), TrackerEvent::Level::warning, "pg1", "in_hot_standby"));

    // Patroni keeps saying the same thing: the hold stands.
    CHECK_FALSE(t.observe("pg1", primary_status(), kT0 + 2s));
    CHECK_FALSE(t.tick(kT0 + 5999ms));
    CHECK(t.snapshot()->primary() == nullptr);
    CHECK(t.tick(kT0 + 6s));
    CHECK(primary_name(*t.snapshot()) == "pg1");
    CHECK_FALSE(t.next_deadline().has_value());
}

TEST_CASE("read-only hold ends early when Patroni reports something new") {
    struct Row {
        const char* what;
        PatroniStatus answer;
        bool primary_after;
    };
    auto restarted = primary_status();
    restarted.postmaster_start_time = "2026-11-22 05:50:00+00:00";
    const std::vector<Row> rows = {
        {"new timeline", primary_status(2), true},
        {"PostgreSQL restarted", restarted, true},
        {"role replica", replica_status(), false},
    };
    for (const auto& row : rows) {
        CAPTURE(row.what);
        auto t = healthy_cluster();
        t.on_read_only_primary("pg1", kT0 + 1s);
        t.observe("pg1", row.answer, kT0 + 1500ms);
        CHECK_FALSE(t.snapshot()->find("pg1")->read_only_hold);
        CHECK(t.snapshot()->find("pg1")->eligible_primary == row.primary_after);
    }
}

TEST_CASE("read-only hold expires through any input carrying the time, and can be renewed") {
    auto t = healthy_cluster();
    t.on_read_only_primary("pg1", kT0);
    t.on_read_only_primary("pg1", kT0 + 4s);  // renewed: until kT0 + 9s
    const auto events = t.take_events();
    CHECK(std::count_if(events.begin(), events.end(), [](const TrackerEvent& e) {
              return e.message.find("in_hot_standby") != std::string::npos;
          }) == 1);  // one warning for one episode
    t.observe("pg2", replica_status(), kT0 + 6s);
    CHECK(t.snapshot()->primary() == nullptr);
    CHECK(t.observe("pg2", replica_status(), kT0 + 9s));
    CHECK(primary_name(*t.snapshot()) == "pg1");
    CHECK_FALSE(t.on_read_only_primary("nope", kT0 + 10s));
}

TEST_CASE("a held primary does not block a real new primary") {
    auto t = healthy_cluster();
    t.on_read_only_primary("pg1", kT0 + 1s);
    t.observe("pg2", primary_status(1), kT0 + 1s);
    CHECK(primary_name(*t.snapshot()) == "pg2");
    CHECK(t.take_events().size() >= 1);
}

TEST_CASE("discovery adds members from GET /cluster") {
    TopologyTracker t(health_config(), {seed("pg1", 5432, 8008)});
    ClusterMember pg1{"pg1",    "10.9.9.9", 6000, "http://10.9.9.9:1", Role::primary,
                      "leader", "running",  1,    std::nullopt};
    ClusterMember pg2{
        "pg2",     "127.0.0.1", 5433, "http://127.0.0.1:8009", Role::replica, "replica",
        "running", 1,           0};
    ClusterMember pg3{"pg3",     "127.0.0.1", 0, "http://127.0.0.1:8010", Role::replica, "replica",
                      "running", 1,           0};
    ClusterMember no_api{"pg4", "127.0.0.1", 5435, "", Role::replica, "replica", "running", 1, 0};
    ClusterMember no_host{"pg5",     "", 5436, "http://127.0.0.1:8012", Role::replica, "replica",
                          "running", 1,  0};

    CHECK(t.add_members({pg1, pg2, pg3, no_api, no_host}, kT0));
    auto snap = t.snapshot();
    REQUIRE(snap->nodes.size() == 3);
    CHECK(snap->find("pg1")->host == "127.0.0.1");  // seeds are never overridden
    CHECK_FALSE(snap->find("pg1")->discovered);
    CHECK(snap->find("pg2")->discovered);
    CHECK(snap->find("pg2")->port == 5433);
    CHECK(snap->find("pg3")->port == 5432);  // not reported: PostgreSQL's default
    CHECK(snap->find("pg3")->api == "http://127.0.0.1:8010");
    CHECK_FALSE(snap->find("pg2")->up);  // polls decide, not GET /cluster
    CHECK(has_event(t.take_events(), TrackerEvent::Level::info, "pg2", "discovered"));

    CHECK_FALSE(t.add_members({pg1, pg2, pg3}, kT0 + 10s));
    auto endpoints = t.endpoints();
    REQUIRE(endpoints.size() == 3);
    CHECK(endpoints[1].name == "pg2");
    CHECK(endpoints[1].api == "http://127.0.0.1:8009");

    // A discovered node follows its address; health is reset when its api URL moves.
    t.observe("pg2", replica_status(), kT0 + 11s);
    CHECK(t.snapshot()->find("pg2")->up);
    pg2.api_url = "http://127.0.0.2:8009";
    CHECK(t.add_members({pg2}, kT0 + 20s));
    CHECK(t.snapshot()->find("pg2")->api == "http://127.0.0.2:8009");
    CHECK_FALSE(t.snapshot()->find("pg2")->up);

    CHECK(t.forget_discovered());
    CHECK(t.snapshot()->nodes.size() == 1);
    CHECK_FALSE(t.forget_discovered());
}

TEST_CASE("discovery does not duplicate a seed named differently from its Patroni member") {
    TopologyTracker t(health_config(),
                      {conf::NodeSeed{"db-a", "127.0.0.1", 5432, "http://127.0.0.1:8008/"}});
    auto members = parse_cluster_members(kLabCluster);
    REQUIRE(members.ok());
    CHECK(t.add_members(members.value(), kT0));
    auto snap = t.snapshot();
    REQUIRE(snap->nodes.size() == 3);
    CHECK(snap->find("db-a") != nullptr);
    CHECK(snap->find("pg1") == nullptr);
    CHECK(snap->find("pg2") != nullptr);
    CHECK(snap->find("pg3") != nullptr);
}

TEST_CASE("reconfigure keeps the state of nodes that remain") {
    auto t = healthy_cluster();
    t.set_drained("pg3", true);
    const auto before = t.snapshot()->version;

    auto seeds = three_seeds();
    seeds.erase(seeds.begin() + 1);            // pg2 removed
    seeds.push_back(seed("pg4", 5435, 8011));  // pg4 added
    seeds[1].api = "http://127.0.0.1:9010";    // pg3's api moved
    CHECK(t.reconfigure(health_config(), seeds));
    auto snap = t.snapshot();
    CHECK(snap->version > before);
    REQUIRE(snap->nodes.size() == 3);
    CHECK(snap->find("pg2") == nullptr);
    CHECK(primary_name(*snap) == "pg1");  // kept without a new answer
    CHECK(snap->find("pg1")->consecutive_successes == 1);
    CHECK_FALSE(snap->find("pg3")->up);  // new address: state reset...
    CHECK(snap->find("pg3")->drained);   // ...but the operator's drain stays
    CHECK_FALSE(snap->find("pg4")->up);

    // Observations for removed nodes are ignored.
    CHECK_FALSE(t.observe("pg2", replica_status(), kT0 + 1s));
    // Same seeds and config again: nothing changes.
    CHECK_FALSE(t.reconfigure(health_config(), seeds));
}

TEST_CASE("reconfigure applies new thresholds at once and keeps discovered nodes") {
    TopologyTracker t(health_config(), {seed("pg1", 5432, 8008)});
    t.add_members({ClusterMember{"pg2", "127.0.0.1", 5433, "http://127.0.0.1:8009", Role::replica,
                                 "replica", "running", 1, 0}},
                  kT0);
    t.observe("pg1", primary_status(1, 100'000'000), kT0);
    t.observe("pg2", replica_status(99'000'000, 99'000'000), kT0);
    CHECK(replica_names(*t.snapshot()) == Names{"pg2"});

    auto strict = health_config();
    strict.max_replica_lag = 1000;
    CHECK(t.reconfigure(strict, {seed("pg1", 5432, 8008)}));
    CHECK(t.snapshot()->find("pg2") != nullptr);
    CHECK(t.snapshot()->find("pg2")->discovered);
    CHECK(replica_names(*t.snapshot()).empty());

    // A seed taking a discovered node's name turns it into a seed, state kept.
    CHECK(t.reconfigure(strict, {seed("pg1", 5432, 8008), seed("pg2", 5433, 8009)}));
    CHECK_FALSE(t.snapshot()->find("pg2")->discovered);
    CHECK(t.snapshot()->find("pg2")->up);
}

TEST_CASE("unknown node names are ignored") {
    TopologyTracker t(health_config(), three_seeds());
    CHECK_FALSE(t.observe("pg9", primary_status(), kT0));
    CHECK_FALSE(t.observe_failure("pg9", "x", kT0));
    CHECK(t.snapshot()->version == 1);
}

TEST_CASE("snapshots are immutable and versions only grow") {
    TopologyTracker t(health_config(), three_seeds());
    auto first = t.snapshot();
    CHECK(t.snapshot() == first);  // unchanged: the same object
    t.observe("pg1", primary_status(), kT0);
    auto second = t.snapshot();
    CHECK(first->version == 1);
    CHECK(first->primary() == nullptr);
    CHECK(second->version == 2);
    CHECK(primary_name(*second) == "pg1");
    t.observe_failure("pg1", "x", kT0 + 1s);  // detail only: same version, fresh details
    auto third = t.snapshot();
    CHECK(third->version == 2);
    CHECK(third->find("pg1")->consecutive_failures == 1);
    CHECK(second->find("pg1")->consecutive_failures == 0);
}

TEST_CASE("events: each state change once, with the node's name") {
    TopologyTracker t(health_config(), three_seeds());
    t.observe_failure("pg2", "connect: refused", kT0);
    CHECK(t.take_events().empty());  // below fall
    t.observe_failure("pg2", "connect: refused", kT0 + 1s);
    auto events = t.take_events();
    REQUIRE(events.size() == 1);
    CHECK(events[0].node == "pg2");
    CHECK(events[0].message == "unreachable: connect: refused");
    for (int i = 0; i < 10; ++i) t.observe_failure("pg2", "connect: refused", kT0 + 2s);
    CHECK(t.take_events().empty());
    t.observe("pg2", replica_status(), kT0 + 3s);
    events = t.take_events();
    CHECK(has_event(events, TrackerEvent::Level::info, "pg2", "up: running replica"));
    CHECK(has_event(events, TrackerEvent::Level::info, "pg2", "eligible as replica"));
}
