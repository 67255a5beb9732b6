// server_check_query: before a server that sat idle for server_check_delay is lent again,
// pgfront asks it a trivial question (PgBouncer's `select 1`) so a connection the server or
// the network dropped in the meantime is found out here, not by the client's query.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string_view>

#include "pool/server_connection.hpp"

namespace pgfront::pool {

// Runs `query` in the simple protocol and reads the replies up to ReadyForQuery; none of them
// reach a client. True when the server answered without an error and is idle outside a
// transaction. Bounded by `timeout` (the connection is closed when it runs out).
boost::asio::awaitable<bool> run_server_check(ServerConnection& server, std::string_view query,
                                              std::chrono::milliseconds timeout);

}  // namespace pgfront::pool
