// proxyctl's text views of the admin API's JSON: tables, human times and sizes, node usage.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "app/proxyctl_table.hpp"
#include "app/proxyctl_views.hpp"

using namespace pgfront::proxyctl;
namespace json = boost::json;

TEST_CASE("tables: aligned columns, no trailing blanks") {
    const auto text = render_table({"A", "LONGER", "C"}, {{"xyz", "1", ""}, {"q", "22", "last"}});
    CHECK(text ==
          "A    LONGER  C\n"
          "xyz  1\n"
          "q    22      last\n");
    CHECK(render_table({"ONLY"}, {}) == "ONLY\n");
}

TEST_CASE("human times and sizes") {
    CHECK(human_seconds(0) == "0s");
    CHECK(human_seconds(59.9) == "59s");
    CHECK(human_seconds(184) == "3m04s");
    CHECK(human_seconds(7500) == "2h05m");
    CHECK(human_seconds(3 * 86400 + 4 * 3600 + 5) == "3d04h");
    CHECK(human_seconds(-1) == "0s");
    CHECK(human_bytes(0) == "0B");
    CHECK(human_bytes(1023) == "1023B");
    CHECK(human_bytes(1536) == "1.5kB");
    CHECK(human_bytes(20 * 1024 * 1024 + 5) == "20MB");
    CHECK(human_bytes(3382286745ULL) == "3.1GB");
}

TEST_CASE("node usage: counted, unknown when the proxy did not answer") {
    const auto busy = json::parse(R"({"clients": 2, "servers_active": 1, "servers_idle": 3})");
    CHECK(node_usage_text(busy) == "2 clients, 1 active and 3 idle server connections");
    CHECK_FALSE(node_unused(busy));
    const auto one = json::parse(R"({"clients": 1, "servers_active": 0, "servers_idle": 0})");
    CHECK(node_usage_text(one) == "1 client, 0 active and 0 idle server connections");
    CHECK_FALSE(node_unused(one));
    const auto idle_only = json::parse(R"({"clients": 0, "servers_active": 0, "servers_idle": 1})");
    CHECK_FALSE(node_unused(idle_only));
    CHECK(node_unused(json::parse(R"({"clients": 0, "servers_active": 0, "servers_idle": 0})")));
    const auto unknown = json::parse(R"({"clients": null, "servers_active": null, "servers_idle": null})");
    CHECK(node_usage_text(unknown) == "unknown (the proxy did not answer)");
    CHECK_FALSE(node_unused(unknown));
}

TEST_CASE("clients and servers: filtered by node for the drain report") {
    const auto clients = json::parse(R"({"clients": [
        {"id": 7, "role": "replica", "address": "127.0.0.1:40001", "database": "appdb", "user": "app",
         "application_name": "pgbench", "state": "active", "node": "node2", "connected_seconds": 65,
         "state_seconds": 1.2, "tls": false},
        {"id": 8, "role": "primary", "address": "127.0.0.1:40002", "database": "appdb", "user": "app",
         "application_name": "", "state": "idle", "node": "", "connected_seconds": 3, "state_seconds": 3,
         "tls": true}]})");
    const auto all = clients_text(clients);
    CHECK(all.find("pgbench") != std::string::npos);
    CHECK(all.find("1m05s") != std::string::npos);
    CHECK(all.find("127.0.0.1:40002") != std::string::npos);
    const auto on_node2 = clients_text(clients, "node2");
    CHECK(on_node2.find("127.0.0.1:40001") != std::string::npos);
    CHECK(on_node2.find("127.0.0.1:40002") == std::string::npos);

    const auto servers = json::parse(R"({"servers": [
        {"id": 3, "role": "replica", "node": "node2", "address": "127.0.0.1:5433", "database": "appdb",
         "user": "app", "state": "active", "client_id": 7, "connected_seconds": 10, "tls": false},
        {"id": 4, "role": "primary", "node": "node1", "address": "127.0.0.1:5432", "database": "appdb",
         "user": "app", "state": "idle", "client_id": 0, "connected_seconds": 10, "tls": false}]})");
    const auto on_node1 = servers_text(servers, "node1");
    CHECK(on_node1.find("5432") != std::string::npos);
    CHECK(on_node1.find("5433") == std::string::npos);
}

TEST_CASE("status: paused scope, and a missing field is an error rather than half a page") {
    auto status = json::parse(R"({"version": "0.6.0", "event_loop": "epoll", "uptime_seconds": 125.5,
        "config_file": "/etc/pgfront/pgfront.yaml", "config_hash": "abc123", "cluster": "demo",
        "pool_mode": "transaction", "listen": {"primary": "127.0.0.1:5000", "replica": "127.0.0.1:5001"},
        "topology_version": 4, "primary": "node1", "replicas": ["node2", "node3"],
        "sessions": {"active_primary": 3, "active_replica": 1, "refused_no_node": 0, "closed_by_role_change": 0},
        "paused": {"all": false, "databases": ["appdb"]}})");
    auto text = status_text(status);
    CHECK(text.find("up 2m05s") != std::string::npos);
    CHECK(text.find("hash abc123") != std::string::npos);
    CHECK(text.find("replicas:  node2, node3") != std::string::npos);
    CHECK(text.find("paused:    appdb") != std::string::npos);
    status.as_object()["paused"] = json::parse(R"({"all": true, "databases": []})");
    CHECK(status_text(status).find("paused:    everything") != std::string::npos);
    status.as_object()["paused"] = json::parse(R"({"all": false, "databases": []})");
    CHECK(status_text(status).find("paused:    no") != std::string::npos);
    status.as_object().erase("sessions");
    CHECK_THROWS(status_text(status));
}

TEST_CASE("pools and vip render") {
    const auto pools = json::parse(R"({"pools": [{"role": "primary", "node": "node1", "database": "appdb",
        "user": "app", "mode": "transaction", "clients_active": 1, "clients_waiting": 2, "servers_active": 1,
        "servers_idle": 3, "servers_connecting": 0, "max_wait_seconds": 0.25, "transactions": 1000,
        "queries": 2000, "bytes_received": 1048576, "bytes_sent": 2048, "draining": true}]})");
    const auto text = pools_text(pools);
    CHECK(text.find("1.0MB") != std::string::npos);
    CHECK(text.find("2.0kB") != std::string::npos);
    CHECK(text.find("draining") != std::string::npos);
    CHECK(vip_text(json::parse(R"({"enabled": false})")).find("not configured") != std::string::npos);
}
