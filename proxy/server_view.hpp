// The operator's view of one server connection (proxyctl servers, SHOW SERVERS).
#pragma once

#include <chrono>
#include <string>

#include "pool/server_connection.hpp"
#include "proxy/proxy_snapshot.hpp"

namespace pgfront::proxy {

// `client_id` 0: idle in its pool. The id shown is the backend's PID, the number operators
// find in pg_stat_activity.
inline ServerView describe_server(pool::ServerConnection& server, ListenerRole role, const std::string& database,
                                  const std::string& user, std::uint64_t client_id,
                                  std::chrono::steady_clock::time_point now) {
    ServerView v;
    v.id = static_cast<std::uint64_t>(server.backend_pid());
    v.role = role;
    v.node = server.node();
    v.address = server.endpoint().to_string();
    v.database = database;
    v.user = user;
    v.active = client_id != 0;
    v.client_id = client_id;
    v.connected_seconds = std::chrono::duration<double>(now - server.created()).count();
    v.tls = server.socket().encrypted();
    return v;
}

}  // namespace pgfront::proxy
