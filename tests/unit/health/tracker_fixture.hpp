// Builders for TopologyTracker tests: a three-node cluster, Patroni answers, a fake clock.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "conf/config.hpp"
#include "health/patroni_status.hpp"
#include "health/topology_tracker.hpp"

namespace pgfront::health::test {

using namespace std::chrono_literals;
using TimePoint = TopologyTracker::TimePoint;

// Any fixed origin works: the tracker only compares times it was given.
inline const TimePoint kT0 = TimePoint{} + 1000h;

inline conf::HealthConfig health_config(int fall = 2, int rise = 1) {
    conf::HealthConfig c;
    c.fall = fall;
    c.rise = rise;
    c.max_replica_lag = 1024 * 1024;
    c.read_only_hold = 5000ms;
    return c;
}

inline conf::NodeSeed seed(const std::string& name, std::uint16_t pg_port, std::uint16_t api_port) {
    return conf::NodeSeed{name, "127.0.0.1", pg_port,
                          "http://127.0.0.1:" + std::to_string(api_port)};
}

inline std::vector<conf::NodeSeed> three_seeds() {
    return {seed("pg1", 5432, 8008), seed("pg2", 5433, 8009), seed("pg3", 5434, 8010)};
}

inline PatroniStatus primary_status(std::uint64_t timeline = 1, std::uint64_t wal = 100'000'000) {
    PatroniStatus s;
    s.state = "running";
    s.role = Role::primary;
    s.role_name = "master";
    s.timeline = timeline;
    s.wal_location = wal;
    s.postmaster_start_time = "2026-11-22 05:41:51+00:00";
    return s;
}

inline PatroniStatus replica_status(std::uint64_t received = 100'000'000,
                                    std::uint64_t replayed = 100'000'000,
                                    std::uint64_t timeline = 1) {
    PatroniStatus s;
    s.state = "running";
    s.role = Role::replica;
    s.role_name = "replica";
    s.timeline = timeline;
    s.received_location = received;
    s.replayed_location = replayed;
    s.postmaster_start_time = "2026-11-22 05:42:00+00:00";
    return s;
}

inline PatroniStatus with_state(PatroniStatus s, std::string state) {
    s.state = std::move(state);
    return s;
}

// Names of eligible replicas, for compact checks.
inline std::vector<std::string> replica_names(const Topology& t) {
    std::vector<std::string> out;
    for (const auto* n : t.replicas()) out.push_back(n->name);
    return out;
}

inline std::string primary_name(const Topology& t) {
    const auto* p = t.primary();
    return p == nullptr ? std::string() : p->name;
}

}  // namespace pgfront::health::test
