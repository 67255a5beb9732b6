// One client connection in pass-through mode (pool.mode: none): read the client's first
// packet, pick an eligible node (waiting mid-failover), connect, watch the server's startup
// replies (cancel key, in_hot_standby), then relay bytes both ways until either side ends.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conf/config.hpp"
#include "net/guarded_deadline.hpp"
#include "proxy/cancel_directory.hpp"
#include "pool/pool_stats.hpp"
#include "proxy/client_session.hpp"
#include "proxy/listener_role.hpp"
#include "tls/socket_stream.hpp"
#include "tls/tls_contexts.hpp"

namespace pgfront::proxy {

class Worker;

class RelaySession final : public ClientSession {
public:
    RelaySession(Worker& worker, boost::asio::ip::tcp::socket client, ListenerRole role);
    ~RelaySession();

    // Runs the whole session; `self` keeps the session alive for the coroutine's lifetime.
    static boost::asio::awaitable<void> run(std::shared_ptr<RelaySession> self);

    // Ends the session from outside (role change, shutdown): both sockets are closed and
    // the relay coroutines finish with an error they expect.
    void close(std::string reason) override;

    std::uint64_t id() const override { return id_; }
    ListenerRole role() const override { return role_; }
    const std::string& node() const override { return node_; }
    ClientView view(std::chrono::steady_clock::time_point now) const override;
    std::optional<ServerView> server_view(std::chrono::steady_clock::time_point now) const override;

private:
    struct StartupPacket {
        std::uint32_t code = 0;
        std::vector<std::byte> bytes;  // the whole packet, length word included
    };

    enum class FirstReply { usable, retry, failed };

    boost::asio::awaitable<void> serve();
    boost::asio::awaitable<std::optional<StartupPacket>> read_startup_packet();
    boost::asio::awaitable<bool> connect_to_eligible_node(std::chrono::steady_clock::time_point deadline);
    boost::asio::awaitable<std::optional<char>> ask_server_for_ssl();
    boost::asio::awaitable<FirstReply> read_first_server_reply();
    void release_server();
    boost::asio::awaitable<bool> try_connect(const std::string& host, std::uint16_t port);
    boost::asio::awaitable<void> forward_cancel(const StartupPacket& packet);
    boost::asio::awaitable<bool> client_tls_allows(const StartupPacket& packet);
    boost::asio::awaitable<FirstReply> secure_server();
    boost::asio::awaitable<void> refuse(std::string_view sqlstate, std::string message);
    boost::asio::awaitable<void> relay_client_to_server();
    boost::asio::awaitable<void> relay_server_to_client(bool watch_startup);
    boost::asio::awaitable<bool> watch_server_startup();
    void arm_login_timeout();
    void note_startup(const StartupPacket& packet);
    boost::asio::awaitable<bool> wait_while_paused();
    void close_both();

    Worker& worker_;
    tls::SocketStream client_;
    tls::SocketStream server_;
    std::shared_ptr<const tls::TlsContexts> tls_;  // taken at accept: a reload does not change it
    bool server_tls_retry_ = false;                // tls.server.mode allow: the plain login was refused
    net::GuardedDeadline login_timer_;
    ListenerRole role_;
    std::uint64_t id_;
    std::string peer_;
    std::string node_;  // empty until bound to a server
    conf::Endpoint server_endpoint_;
    std::optional<CancelKey> cancel_key_;
    std::string close_reason_;
    std::vector<std::byte> startup_reply_;  // the server's first bytes, before the relay starts
    std::unique_ptr<std::byte[]> upstream_buffer_;
    std::unique_ptr<std::byte[]> downstream_buffer_;
    // For the operator's views and the statistics (empty when the client's TLS runs end to
    // end and pgfront never sees its startup packet).
    std::string database_;
    std::string user_;
    std::string application_name_;
    const std::chrono::steady_clock::time_point connected_at_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point relaying_since_{};
    bool paused_ = false;
    pool::PoolStats* stats_ = nullptr;  // the pool key's counters once bound to a node
    std::unique_ptr<boost::asio::steady_timer> pause_timer_;  // only while PAUSE holds the client
};

}  // namespace pgfront::proxy
