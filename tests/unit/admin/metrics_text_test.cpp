// GET /metrics: valid Prometheus text, names under pgfront_, counters that carry the workers'
// numbers, node and VRRP series labelled as operators expect.
#include <doctest/doctest.h>

#include <regex>
#include <sstream>
#include <string>

#include "admin/metrics_text.hpp"

using namespace pgfront;
using admin::MetricsFacts;

namespace {

// Every line is a HELP/TYPE comment or `name{labels} value` with a pgfront_ name; every sample's
// family was declared by TYPE first.
void check_exposition(const std::string& text) {
    const std::regex sample(R"(^(pgfront_[a-z0-9_]+)(\{[a-z_]+="(?:[^"\\\n]|\\["\\n])*"(,[a-z_]+="(?:[^"\\\n]|\\["\\n])*")*\})? (-?[0-9.e+]+|NaN|\+Inf|-Inf)$)");
    const std::regex type_line(R"(^# TYPE (pgfront_[a-z0-9_]+) (counter|gauge|histogram|summary|untyped)$)");
    std::istringstream in(text);
    std::string line;
    std::string declared;
    int samples = 0;
    while (std::getline(in, line)) {
        std::smatch m;
        if (line.rfind("# HELP ", 0) == 0) continue;
        if (std::regex_match(line, m, type_line)) {
            declared = m[1];
            if (m[2] == "counter") CHECK(declared.size() > 6);
            continue;
        }
        INFO(line);
        REQUIRE(std::regex_match(line, m, sample));
        CHECK(m[1].str().rfind(declared, 0) == 0);
        ++samples;
    }
    CHECK(samples > 0);
}

}  // namespace

TEST_CASE("metrics of nodes, listeners and VRRP are valid exposition text") {
    health::Topology topology;
    topology.version = 7;
    health::NodeState primary;
    primary.name = "node1";
    primary.role = health::Role::primary;
    primary.up = true;
    primary.eligible_primary = true;
    primary.timeline = 3;
    health::NodeState replica;
    replica.name = "node2";
    replica.role = health::Role::replica;
    replica.up = true;
    replica.eligible_replica = true;
    replica.lag_bytes = 4096;
    topology.nodes = {primary, replica};

    admin::MetricsFacts facts;
    facts.topology = &topology;
    facts.counters.accepted_primary = 12;
    facts.counters.auth_failures = 3;
    vip::VipStatus status;
    status.vrid = 51;
    status.interface = "eth0";
    status.state = "master";
    status.transitions = 2;
    status.effective_priority = 150;
    status.dropped = {{"bad_checksum", 4}};
    facts.vip = status;

    const auto text = admin::metrics_text(facts);
    check_exposition(text);
    CHECK(text.find("pgfront_client_connections_accepted_total{listener=\"primary\"} 12") != std::string::npos);
    CHECK(text.find("pgfront_auth_failures_total 3") != std::string::npos);
    CHECK(text.find("pgfront_node_replication_lag_bytes{node=\"node2\"} 4096") != std::string::npos);
    CHECK(text.find("pgfront_node_up{node=\"node1\"} 1") != std::string::npos);
    CHECK(text.find("pgfront_primary_known 1") != std::string::npos);
    CHECK(text.find("pgfront_vrrp_transitions_total{interface=\"eth0\",vrid=\"51\"} 2") != std::string::npos);
    CHECK(text.find("pgfront_vrrp_state{interface=\"eth0\",state=\"master\",vrid=\"51\"} 1") != std::string::npos);
    CHECK(text.find("pgfront_vrrp_adverts_dropped_total{interface=\"eth0\",reason=\"bad_checksum\",vrid=\"51\"} 4") !=
          std::string::npos);
}

TEST_CASE("without a vip: section there are no VRRP series, and no primary shows as 0") {
    health::Topology topology;
    admin::MetricsFacts facts;
    facts.topology = &topology;
    const auto text = admin::metrics_text(facts);
    check_exposition(text);
    CHECK(text.find("pgfront_vrrp") == std::string::npos);
    CHECK(text.find("pgfront_primary_known 0") != std::string::npos);
}

TEST_CASE("pool series carry role, node, database and user; histograms are cumulative") {
    proxy::ProxySnapshot snapshot;
    proxy::PoolView pool;
    pool.role = proxy::ListenerRole::replica;
    pool.node = "pg2";
    pool.database = "app";
    pool.user = "web \"quoted\"";
    pool.clients_active = 3;
    pool.servers_idle = 2;
    pool.stats.transactions = 41;
    pool.stats.queries = 97;
    pool.stats.bytes_received = 1000;
    pool.stats.bytes_sent = 5000;
    pool.stats.wait_seconds.observe(0.0002);
    pool.stats.wait_seconds.observe(0.003);
    pool.stats.wait_seconds.observe(30);
    snapshot.pools.push_back(pool);
    proxy::ClientView client;
    client.role = proxy::ListenerRole::replica;
    client.state = proxy::ClientState::waiting;
    snapshot.clients.push_back(client);
    snapshot.paused_databases.push_back("app");

    MetricsFacts facts;
    facts.proxy = &snapshot;
    const auto text = admin::metrics_text(facts);
    const std::string labels = R"(database="app",node="pg2",role="replica",user="web \"quoted\"")";
    CHECK(text.find("pgfront_pool_transactions_total{" + labels + "} 41") != std::string::npos);
    CHECK(text.find("pgfront_pool_queries_total{" + labels + "} 97") != std::string::npos);
    CHECK(text.find("pgfront_pool_bytes_sent_total{" + labels + "} 5000") != std::string::npos);
    // Labels come out sorted by name.
    CHECK(text.find(R"(pgfront_pool_clients{database="app",node="pg2",role="replica",state="active",user="web \"quoted\""} 3)") != std::string::npos);
    CHECK(text.find(R"(pgfront_pool_servers{database="app",node="pg2",role="replica",state="idle",user="web \"quoted\""} 2)") != std::string::npos);
    check_exposition(text);
    CHECK(text.find("pgfront_pool_wait_seconds_bucket{" + labels + ",le=\"0.00025\"} 1") != std::string::npos);
    CHECK(text.find("pgfront_pool_wait_seconds_bucket{" + labels + ",le=\"0.005\"} 2") != std::string::npos);
    CHECK(text.find("pgfront_pool_wait_seconds_bucket{" + labels + ",le=\"5\"} 2") != std::string::npos);
    CHECK(text.find("pgfront_pool_wait_seconds_bucket{" + labels + ",le=\"+Inf\"} 3") != std::string::npos);
    CHECK(text.find("pgfront_pool_wait_seconds_count{" + labels + "} 3") != std::string::npos);
    CHECK(text.find("pgfront_clients{listener=\"replica\",state=\"waiting\"} 1") != std::string::npos);
    CHECK(text.find("pgfront_database_paused{database=\"app\"} 1") != std::string::npos);
}
