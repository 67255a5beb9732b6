// Patroni REST answers captured in the lab (Patroni 3.0.2, see /work/shared/lab) and 4.x
// shapes built from Patroni 4's api.py, shared by the health/ unit tests and kept verbatim.
#pragma once

#include <string_view>

namespace pgfront::health::test {

// GET / on the primary, Patroni 3.0.2 (lab/rest-GET-root-primary-pg1.json).
inline constexpr std::string_view kLabPrimary = R"({
    "state": "running",
    "postmaster_start_time": "2026-11-22 05:41:51.061244+00:00",
    "role": "master",
    "server_version": 150018,
    "xlog": {
        "location": 200683768
    },
    "timeline": 1,
    "replication": [
        {
            "usename": "replicator",
            "application_name": "pg3",
            "client_addr": "127.0.0.1",
            "state": "streaming",
            "sync_state": "async",
            "sync_priority": 0
        },
        {
            "usename": "replicator",
            "application_name": "pg2",
            "client_addr": "127.0.0.1",
            "state": "streaming",
            "sync_state": "async",
            "sync_priority": 0
        }
    ],
    "dcs_last_seen": 1795326332,
    "database_system_identifier": "7710866928536798211",
    "patroni": {
        "version": "3.0.2",
        "scope": "demo"
    }
})";

// GET / on a replica, Patroni 3.0.2 (lab/rest-GET-root-replica-pg2.json).
inline constexpr std::string_view kLabReplica = R"({
    "state": "running",
    "postmaster_start_time": "2026-11-22 05:42:00.956078+00:00",
    "role": "replica",
    "server_version": 150018,
    "xlog": {
        "received_location": 200683768,
        "replayed_location": 200683768,
        "replayed_timestamp": "2026-11-22 05:43:31.249889+00:00",
        "paused": false
    },
    "timeline": 1,
    "dcs_last_seen": 1795326332,
    "database_system_identifier": "7710866928536798211",
    "patroni": {
        "version": "3.0.2",
        "scope": "demo"
    }
})";

// GET /cluster, Patroni 3.0.2 (lab/rest-GET-cluster.json).
inline constexpr std::string_view kLabCluster = R"({
    "members": [
        {
            "name": "pg1",
            "role": "leader",
            "state": "running",
            "api_url": "http://127.0.0.1:8008/patroni",
            "host": "127.0.0.1",
            "port": 5432,
            "timeline": 1
        },
        {
            "name": "pg2",
            "role": "replica",
            "state": "running",
            "api_url": "http://127.0.0.1:8009/patroni",
            "host": "127.0.0.1",
            "port": 5433,
            "timeline": 1,
            "lag": 0
        },
        {
            "name": "pg3",
            "role": "replica",
            "state": "running",
            "api_url": "http://127.0.0.1:8010/patroni",
            "host": "127.0.0.1",
            "port": 5434,
            "timeline": 1,
            "lag": 0
        }
    ]
})";

// Patroni 4.x primary: role "primary", patroni.name, tags, maintenance mode.
inline constexpr std::string_view kV4Primary = R"({
    "state": "running",
    "postmaster_start_time": "2026-11-22 06:00:00.000000+00:00",
    "role": "primary",
    "server_version": 170002,
    "xlog": {"location": 352321536},
    "timeline": 3,
    "replication": [],
    "pause": true,
    "dcs_last_seen": 1795326400,
    "tags": {"clonefrom": true, "failover_priority": 2},
    "database_system_identifier": "7710866928536798211",
    "patroni": {"version": "4.0.4", "scope": "demo", "name": "pg2"}
})";

// Patroni 4.x replica: replication_state, latest_end_lsn, tags object.
inline constexpr std::string_view kV4Replica = R"({
    "state": "running",
    "postmaster_start_time": "2026-11-22 06:00:05.000000+00:00",
    "role": "replica",
    "server_version": 170002,
    "xlog": {
        "received_location": 352321536,
        "replayed_location": 352317440,
        "replayed_timestamp": null,
        "paused": false
    },
    "timeline": 3,
    "latest_end_lsn": 352321536,
    "replication_state": "streaming",
    "dcs_last_seen": 1795326400,
    "tags": {"noloadbalance": true, "nofailover": true},
    "patroni": {"version": "4.0.4", "scope": "demo", "name": "pg3"}
})";

}  // namespace pgfront::health::test
