// parse_cluster_members: the captured GET /cluster, 4.x member shapes, and bad documents.
#include "health/cluster_members.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "lab_json.hpp"

using namespace pgfront::health;

TEST_CASE("GET /cluster from the lab") {
    auto r = parse_cluster_members(test::kLabCluster);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error()));
    const auto& m = r.value();
    REQUIRE(m.size() == 3);
    CHECK(m[0].name == "pg1");
    CHECK(m[0].role == Role::primary);
    CHECK(m[0].role_name == "leader");
    CHECK(m[0].host == "127.0.0.1");
    CHECK(m[0].port == 5432);
    CHECK(m[0].api_url == "http://127.0.0.1:8008");  // "/patroni" dropped
    CHECK(m[0].state == "running");
    CHECK(m[0].timeline == 1u);
    CHECK_FALSE(m[0].lag.has_value());
    CHECK(m[1].name == "pg2");
    CHECK(m[1].role == Role::replica);
    CHECK(m[1].port == 5433);
    CHECK(m[1].api_url == "http://127.0.0.1:8009");
    CHECK(m[1].lag == 0u);
    CHECK(m[2].api_url == "http://127.0.0.1:8010");
}

TEST_CASE("4.x member roles, unknown lag, members without address") {
    auto r = parse_cluster_members(R"({"members": [
        {"name": "a", "role": "sync_standby", "state": "streaming", "api_url": "http://10.0.0.1:8008/patroni",
         "host": "10.0.0.1", "port": 5432, "timeline": 4, "lag": "unknown",
         "receive_lag": 0, "replay_lag": 0, "lsn": "0/5000000", "tags": {"nofailover": true}},
        {"name": "b", "role": "quorum_standby", "state": "streaming", "api_url": null},
        {"name": "c", "role": "standby_leader", "state": "running", "api_url": "http://c:8008/patroni", "host": "c"},
        {"name": "d", "role": "weird"}
    ], "pause": true, "scope": "demo"})");
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error()));
    const auto& m = r.value();
    REQUIRE(m.size() == 4);
    CHECK(m[0].role == Role::replica);
    CHECK_FALSE(m[0].lag.has_value());
    CHECK(m[0].timeline == 4u);
    CHECK(m[1].role == Role::replica);
    CHECK(m[1].api_url.empty());
    CHECK(m[1].host.empty());
    CHECK(m[1].port == 0);
    CHECK(m[2].role == Role::standby_leader);
    CHECK(m[2].api_url == "http://c:8008");
    CHECK(m[3].role == Role::unknown);
}

TEST_CASE("an empty cluster is a valid answer") {
    auto r = parse_cluster_members(R"({"members": []})");
    REQUIRE(r.ok());
    CHECK(r.value().empty());
}

TEST_CASE("bad GET /cluster documents") {
    struct Row {
        const char* body;
        const char* error_contains;
    };
    const std::vector<Row> rows = {
        {"", "invalid JSON"},
        {R"({"members": [)", "invalid JSON"},
        {"[]", "expected a JSON object"},
        {"{}", "members: missing"},
        {R"({"members": {}})", "members: expected an array"},
        {R"({"members": [1]})", "members[0]: expected an object"},
        {R"({"members": [{"role": "leader"}]})", "members[0].name: missing"},
        {R"({"members": [{"name": "a"}, {"name": 2}]})", "members[1].name"},
        {R"({"members": [{"name": "a", "port": "5432"}]})", "members[0].port"},
        {R"({"members": [{"name": "a", "port": 70000}]})", "members[0].port"},
        {R"({"members": [{"name": "a", "port": 0}]})", "members[0].port"},
        {R"({"members": [{"name": "a", "api_url": 8008}]})", "members[0].api_url"},
        {R"({"members": [{"name": "a", "lag": {}}]})", "members[0].lag"},
        {R"({"members": [{"name": "a", "timeline": "1"}]})", "members[0].timeline"},
    };
    for (const auto& row : rows) {
        CAPTURE(row.body);
        auto r = parse_cluster_members(row.body);
        REQUIRE_FALSE(r.ok());
        CHECK_MESSAGE(r.error().find(row.error_contains) != std::string::npos, r.error());
    }
}

TEST_CASE("every truncation of the captured GET /cluster is an error") {
    const auto body = test::kLabCluster;
    for (std::size_t n = 0; n < body.size() - 1; ++n) {
        CAPTURE(n);
        CHECK_FALSE(parse_cluster_members(body.substr(0, n)).ok());
    }
}
