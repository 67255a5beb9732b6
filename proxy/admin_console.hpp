// The PgBouncer-style admin console: a logged-in client of database "pgbouncer" (or
// "pgfront") types SHOW POOLS, PAUSE, RELOAD... as simple queries. It reads pgfront's state
// through ProxyControl, so every worker's clients and pools are in its answers, and it never
// blocks its event loop (PAUSE waits with a timer).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <string>
#include <string_view>

#include "pool/frame_buffer.hpp"
#include "tls/socket_stream.hpp"

namespace pgfront::proxy {

class Worker;

// The databases that lead to the console instead of a server.
bool is_console_database(std::string_view database);

class AdminConsole {
public:
    // `client` is authenticated; `input` holds what it sent after its login.
    AdminConsole(Worker& worker, tls::SocketStream& client, pool::FrameBuffer& input, std::string user, bool admin);

    // Welcome (AuthenticationOk, parameters, ReadyForQuery), then commands until the client
    // leaves or breaks the protocol.
    boost::asio::awaitable<void> run();

private:
    boost::asio::awaitable<bool> execute(std::string_view sql);
    boost::asio::awaitable<bool> show(const std::string& subject);
    boost::asio::awaitable<bool> pause(const std::string& database);
    boost::asio::awaitable<bool> reload();
    boost::asio::awaitable<bool> send();
    void error(std::string_view sqlstate, const std::string& message);
    void fatal(std::string_view sqlstate, const std::string& message);
    void warn(const std::string& message);

    Worker& worker_;
    tls::SocketStream& client_;
    pool::FrameBuffer& input_;
    std::string user_;
    bool admin_;
    protocol::ByteBuffer out_;
};

}  // namespace pgfront::proxy
