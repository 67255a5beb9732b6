// One connection from pgfront to a PostgreSQL server, logged in as a pool's user: the
// startup and authentication exchange (trust, cleartext, MD5, SCRAM-SHA-256 with a password
// or with keys recovered from a client's SCRAM login), and what the server told us.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/scram_keys.hpp"
#include "conf/config.hpp"
#include "pool/connection_quota.hpp"
#include "pool/frame_buffer.hpp"
#include "pool/parameter_set_cache.hpp"
#include "pool/pool_state.hpp"
#include "pool/prepared_statements.hpp"
#include "protocol/bytes.hpp"
#include "protocol/pipeline_tracker.hpp"
#include "tls/socket_stream.hpp"
#include "tls/tls_contexts.hpp"

namespace pgfront::pool {

using Parameters = std::vector<std::pair<std::string, std::string>>;

struct ServerLogin {
    std::string user;
    std::string database;
    Parameters startup_parameters;              // sent in the StartupMessage besides user/database
    std::optional<std::string> password;        // plaintext, or an "md5..." hash
    std::optional<auth::ScramKeys> scram_keys;  // from a client's verified SCRAM login
    std::shared_ptr<const tls::TlsContexts> tls;  // tls.server settings; null: plain TCP
};

struct LoginFailure {
    std::string sqlstate;
    std::string message;
    protocol::ByteBuffer server_error;  // the server's own ErrorResponse, to pass on untouched
    // Retrying cannot help (the server refused, or our credentials cannot work), as opposed
    // to network trouble that a failover or a restart may cure.
    bool definitive = false;
};

class ServerConnection {
public:
    ServerConnection(boost::asio::any_io_executor executor, ServerId id, std::string node, conf::Endpoint endpoint);

    // Connects and logs in; nullopt on success. Bounded by `timeout` as a whole.
    boost::asio::awaitable<std::optional<LoginFailure>> connect_and_login(const ServerLogin& login,
                                                                           std::chrono::milliseconds timeout);

    // Runs one parameterized query (extended protocol, text values) on an idle connection
    // and returns its first row; nullopt row when it returned none. For pgfront's own
    // lookups (auth_query), never for client traffic.
    struct QueryResult {
        std::optional<std::vector<std::optional<std::string>>> row;
        std::optional<LoginFailure> error;
    };
    boost::asio::awaitable<QueryResult> query_first_row(std::string_view sql, const std::vector<std::string>& params);

    ServerId id() const { return id_; }
    const std::string& node() const { return node_; }
    const conf::Endpoint& endpoint() const { return endpoint_; }
    // The connection, plain or TLS (tls.server.mode).
    tls::SocketStream& socket() { return socket_; }
    FrameBuffer& input() { return input_; }
    protocol::PipelineTracker& tracker() { return tracker_; }
    // The server's current values of the parameters it reports (ParameterStatus), kept up to
    // date by whoever reads its messages through note_parameter.
    const Parameters& parameters() const { return parameters_; }
    void note_parameter(std::string_view name, std::string_view value);
    // The same from a ParameterStatus message's payload, wherever the server's replies are
    // read (login, the check query, pgfront's own queries); a malformed one is ignored.
    void note_parameter_status(protocol::Bytes payload);
    // A standby reports in_hot_standby=on (PostgreSQL 14+): never a primary's server.
    bool in_hot_standby() const { return in_hot_standby_; }
    // Whether the reported values were found equal to the client set `wanted` and have not
    // changed since; saves comparing them before every transaction. Holding the set keeps
    // its address from being reused for another.
    bool in_sync_with(const SharedParameters& wanted) const { return wanted && synced_to_ == wanted; }
    void mark_in_sync_with(SharedParameters wanted) { synced_to_ = std::move(wanted); }
    // Settings the server never reports that pgfront SET on it for a client.
    Parameters& other_settings() { return other_settings_; }
    // The pgfront-named statements prepared on this connection.
    ServerStatementCache& statements() { return statements_; }
    std::int32_t backend_pid() const { return backend_pid_; }
    std::chrono::steady_clock::time_point created() const { return created_; }
    // When it last came back to its pool (created() before its first lease).
    std::chrono::steady_clock::time_point idle_since() const { return idle_since_; }
    void mark_idle(std::chrono::steady_clock::time_point now) { idle_since_ = now; }
    std::uint32_t backend_secret() const { return backend_secret_; }
    void close();
    // This connection's share of max_db_connections / max_user_connections, given back when
    // the connection object is destroyed.
    void hold(QuotaTokens tokens) { quota_ = std::move(tokens); }

private:
    boost::asio::awaitable<std::optional<LoginFailure>> login(const ServerLogin& login);

    ServerId id_;
    std::string node_;
    conf::Endpoint endpoint_;
    tls::SocketStream socket_;
    FrameBuffer input_;
    protocol::PipelineTracker tracker_;
    Parameters parameters_;
    bool in_hot_standby_ = false;
    SharedParameters synced_to_;
    Parameters other_settings_;
    ServerStatementCache statements_;
    std::int32_t backend_pid_ = 0;
    std::uint32_t backend_secret_ = 0;
    QuotaTokens quota_;
    const std::chrono::steady_clock::time_point created_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point idle_since_ = created_;
};

}  // namespace pgfront::pool
