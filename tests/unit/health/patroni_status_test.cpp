// parse_patroni_status: captured 3.0.2 answers, 4.x shapes, and every way a body can be bad.
#include "health/patroni_status.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "lab_json.hpp"

using namespace pgfront::health;
using pgfront::health::test::kLabPrimary;
using pgfront::health::test::kLabReplica;
using pgfront::health::test::kV4Primary;
using pgfront::health::test::kV4Replica;

TEST_CASE("Patroni 3.0.2 primary from the lab: role master is primary") {
    auto r = parse_patroni_status(kLabPrimary);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error()));
    const auto& s = r.value();
    CHECK(s.state == "running");
    CHECK(s.role == Role::primary);
    CHECK(s.role_name == "master");
    CHECK(s.timeline == 1);
    CHECK(s.wal_location == 200683768u);
    CHECK_FALSE(s.received_location.has_value());
    CHECK_FALSE(s.replayed_location.has_value());
    CHECK_FALSE(s.pause);
    CHECK_FALSE(s.noloadbalance);
    CHECK_FALSE(s.nofailover);
    CHECK(s.postmaster_start_time == "2026-11-22 05:41:51.061244+00:00");
    CHECK(s.patroni_version == "3.0.2");
    CHECK(s.scope == "demo");
    CHECK(s.name.empty());  // 3.x does not report it
}

TEST_CASE("Patroni 3.0.2 replica from the lab") {
    auto r = parse_patroni_status(kLabReplica);
    REQUIRE(r.ok());
    const auto& s = r.value();
    CHECK(s.role == Role::replica);
    CHECK(s.timeline == 1);
    CHECK_FALSE(s.wal_location.has_value());
    CHECK(s.received_location == 200683768u);
    CHECK(s.replayed_location == 200683768u);
    CHECK(s.replication_state.empty());
}

TEST_CASE("Patroni 4.x primary: role primary, pause, name, tags without noloadbalance") {
    auto r = parse_patroni_status(kV4Primary);
    REQUIRE(r.ok());
    const auto& s = r.value();
    CHECK(s.role == Role::primary);
    CHECK(s.role_name == "primary");
    CHECK(s.timeline == 3);
    CHECK(s.wal_location == 352321536u);
    CHECK(s.pause);
    CHECK_FALSE(s.noloadbalance);
    CHECK_FALSE(s.nofailover);  // failover_priority 2
    CHECK(s.name == "pg2");
    CHECK(s.patroni_version == "4.0.4");
}

TEST_CASE("Patroni 4.x replica: replication_state and tags object") {
    auto r = parse_patroni_status(kV4Replica);
    REQUIRE(r.ok());
    const auto& s = r.value();
    CHECK(s.role == Role::replica);
    CHECK(s.replication_state == "streaming");
    CHECK(s.noloadbalance);
    CHECK(s.nofailover);
    CHECK(s.received_location == 352321536u);
    CHECK(s.replayed_location == 352317440u);
    CHECK(s.name == "pg3");
}

TEST_CASE("answers while PostgreSQL is not running parse, with defaults") {
    // What Patroni writes when its status query fails (api.py get_postgresql_status).
    auto r = parse_patroni_status(
        R"({"state": "stopped", "role": "replica", "cluster_unlocked": true,
            "dcs_last_seen": 1795326400, "patroni": {"version": "3.0.2", "scope": "demo"}})");
    REQUIRE(r.ok());
    CHECK(r.value().state == "stopped");
    CHECK(r.value().timeline == 0);
    CHECK(r.value().cluster_unlocked);
    CHECK(r.value().postmaster_start_time.empty());
}

TEST_CASE("role names") {
    struct Row {
        const char* name;
        Role role;
    };
    const std::vector<Row> rows = {
        {"master", Role::primary},        {"primary", Role::primary},
        {"replica", Role::replica},       {"standby_leader", Role::standby_leader},
        {"demoted", Role::unknown},       {"promoted", Role::unknown},
        {"uninitialized", Role::unknown}, {"", Role::unknown},
    };
    for (const auto& row : rows) {
        CAPTURE(row.name);
        auto r = parse_patroni_status(std::string(R"({"state":"running","role":")") + row.name +
                                      R"("})");
        REQUIRE(r.ok());
        CHECK(r.value().role == row.role);
        CHECK(r.value().role_name == row.name);
    }
    CHECK(to_string(Role::primary) == "primary");
    CHECK(to_string(Role::replica) == "replica");
    CHECK(to_string(Role::standby_leader) == "standby_leader");
    CHECK(to_string(Role::unknown) == "unknown");
}

TEST_CASE("null means absent") {
    auto r = parse_patroni_status(
        R"({"state":"running","role":"replica","timeline":null,"pause":null,"tags":null,
            "xlog":{"received_location":null,"replayed_location":5},"patroni":null,
            "postmaster_start_time":null})");
    REQUIRE(r.ok());
    CHECK(r.value().timeline == 0);
    CHECK_FALSE(r.value().received_location.has_value());
    CHECK(r.value().replayed_location == 5u);
}

TEST_CASE("LSNs up to 2^64-1") {
    auto r = parse_patroni_status(
        R"({"state":"running","role":"master","xlog":{"location":18446744073709551615}})");
    REQUIRE(r.ok());
    CHECK(r.value().wal_location == 18446744073709551615u);
}

TEST_CASE("tags are read the way Patroni reads them (Python truthiness)") {
    struct Row {
        const char* tags;
        bool noloadbalance;
        bool nofailover;
    };
    const std::vector<Row> rows = {
        {R"({})", false, false},
        {R"({"noloadbalance": true})", true, false},
        {R"({"noloadbalance": false})", false, false},
        {R"({"noloadbalance": 1})", true, false},
        {R"({"noloadbalance": 0})", false, false},
        {R"({"noloadbalance": "yes"})", true, false},
        {R"({"noloadbalance": ""})", false, false},
        {R"({"nofailover": true})", false, true},
        {R"({"failover_priority": 0})", false, true},
        {R"({"failover_priority": -1})", false, true},
        {R"({"failover_priority": 1})", false, false},
        {R"({"nofailover": false, "failover_priority": 0})", false, false},
    };
    for (const auto& row : rows) {
        CAPTURE(row.tags);
        auto r = parse_patroni_status(
            std::string(R"({"state":"running","role":"replica","tags":)") + row.tags + "}");
        REQUIRE(r.ok());
        CHECK(r.value().noloadbalance == row.noloadbalance);
        CHECK(r.value().nofailover == row.nofailover);
    }
}

TEST_CASE("malformed bodies give a clean error") {
    struct Row {
        const char* body;
        const char* error_contains;
    };
    const std::vector<Row> rows = {
        {"", "invalid JSON"},
        {"{", "invalid JSON"},
        {"{\"state\": \"running\", \"role\": \"master\"", "invalid JSON"},
        {"{\"state\": \"running\",}", "invalid JSON"},
        {"<html>503</html>", "invalid JSON"},
        {"[]", "expected a JSON object"},
        {"42", "expected a JSON object"},
        {"\"running\"", "expected a JSON object"},
        {"null", "expected a JSON object"},
        {"{}", "state: missing"},
        {R"({"role":"master"})", "state: missing"},
        {R"({"state":"running"})", "role: missing"},
        {R"({"state":null,"role":"master"})", "state: expected a string, got null"},
        {R"({"state":1,"role":"master"})", "state: expected a string, got integer"},
        {R"({"state":"running","role":["master"]})", "role: expected a string, got array"},
        {R"({"state":"running","role":"master","timeline":"1"})",
         "timeline: expected a non-negative integer, got string"},
        {R"({"state":"running","role":"master","timeline":-1})",
         "timeline: expected a non-negative integer"},
        {R"({"state":"running","role":"master","timeline":1.5})",
         "timeline: expected a non-negative integer, got number"},
        {R"({"state":"running","role":"master","pause":"true"})", "pause: expected a boolean"},
        {R"({"state":"running","role":"master","xlog":"0/3000060"})", "xlog: expected an object"},
        {R"({"state":"running","role":"master","xlog":{"location":"0/3000060"}})",
         "xlog.location: expected a non-negative integer"},
        {R"({"state":"running","role":"replica","xlog":{"received_location":true}})",
         "xlog.received_location"},
        {R"({"state":"running","role":"replica","xlog":{"replayed_location":{}}})",
         "xlog.replayed_location"},
        {R"({"state":"running","role":"master","tags":[]})", "tags: expected an object"},
        {R"({"state":"running","role":"master","patroni":"3.0.2"})", "patroni: expected an object"},
        {R"({"state":"running","role":"master","patroni":{"version":3}})",
         "patroni.version: expected a string"},
        {R"({"state":"running","role":"master","postmaster_start_time":1})",
         "postmaster_start_time"},
        {R"({"state":"running","role":"master","replication_state":false})", "replication_state"},
    };
    for (const auto& row : rows) {
        CAPTURE(row.body);
        auto r = parse_patroni_status(row.body);
        REQUIRE_FALSE(r.ok());
        CHECK_MESSAGE(r.error().find(row.error_contains) != std::string::npos, r.error());
    }
}

TEST_CASE("every truncation of a captured answer is an error, never a crash") {
    for (std::string_view body : {kLabPrimary, kLabReplica, kV4Primary, kV4Replica}) {
        const auto end = body.find_last_of('}');
        for (std::size_t n = 0; n < end; ++n) {
            CAPTURE(n);
            CHECK_FALSE(parse_patroni_status(body.substr(0, n)).ok());
        }
    }
}

TEST_CASE("deep nesting is bounded") {
    std::string deep = R"({"state":"running","role":"master","x":)";
    deep += std::string(100000, '[');
    auto r = parse_patroni_status(deep);
    CHECK_FALSE(r.ok());
}
