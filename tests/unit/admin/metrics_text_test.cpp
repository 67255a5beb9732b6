// GET /metrics: valid Prometheus text, names under pgfront_, counters that carry the workers'
// numbers, node and VRRP series labelled as operators expect.
#include <doctest/doctest.h>

#include <regex>
#include <sstream>
#include <string>

#include "admin/metrics_text.hpp"

using namespace pgfront;

namespace {

// Every line is a HELP/TYPE comment or `name{labels} value` with a pgfront_ name; every sample's
// family was declared by TYPE first.
void check_exposition(const std::string& text) {
    const std::regex sample(R"(^(pgfront_[a-z0-9_]+)(\{[a-z_]+="[^"\\]*"(,[a-z_]+="[^"\\]*")*\})? (-?[0-9.e+]+|NaN|\+Inf|-Inf)$)");
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
