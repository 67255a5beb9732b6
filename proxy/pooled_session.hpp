// One client in a pooling mode (session, transaction, statement): pgfront itself answers the
// startup and authenticates the client, then lends it a server from the right pool for a
// session, a transaction or a statement, relaying whole messages and watching where each
// transaction ends.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "auth/scram_keys.hpp"
#include "net/guarded_deadline.hpp"
#include "pool/connection_quota.hpp"
#include "pool/frame_buffer.hpp"
#include "pool/parameter_set_cache.hpp"
#include "pool/server_pool.hpp"
#include "pool/session_parameters.hpp"
#include "pool/statement_rewriter.hpp"
#include "protocol/bytes.hpp"
#include "proxy/client_idle.hpp"
#include "proxy/client_session.hpp"
#include "tls/socket_stream.hpp"
#include "tls/tls_contexts.hpp"

namespace pgfront::health {
struct NodeState;
struct Topology;
}

namespace pgfront::proxy {

class Worker;

class PooledSession final : public ClientSession {
public:
    using Clock = std::chrono::steady_clock;

    PooledSession(Worker& worker, boost::asio::ip::tcp::socket client, ListenerRole role);
    ~PooledSession() override;

    static boost::asio::awaitable<void> run(std::shared_ptr<PooledSession> self);

    void close(std::string reason) override;
    void terminate(std::string reason) override;
    std::uint64_t id() const override { return id_; }
    ListenerRole role() const override { return role_; }
    const std::string& node() const override { return node_; }
    ClientView view(Clock::time_point now) const override;
    std::optional<ServerView> server_view(Clock::time_point now) const override;
    std::optional<CancelTarget> cancel_target() const override;

    // For the idle timeouts (idle_sweeper.hpp): what the session waits for, since when; and
    // ending a client that waited too long, with the reason it will be told.
    std::pair<ClientWait, Clock::time_point> idle_wait() const;
    void expire_idle(IdleExpiry expiry);

private:
    boost::asio::awaitable<void> serve();
    boost::asio::awaitable<bool> read_startup();
    boost::asio::awaitable<void> serve_console();
    boost::asio::awaitable<bool> authenticate();
    boost::asio::awaitable<bool> welcome();
    boost::asio::awaitable<void> relay();
    boost::asio::awaitable<bool> wait_while_paused();
    boost::asio::awaitable<bool> acquire_server();
    // The node this client's next server comes from, as routing stands in `topology`.
    // Only a lease takes a turn of the replica rotation: were the welcome to take one too,
    // every new client's first transaction would land on the same one of two replicas.
    enum class RotationTurn { take, peek };
    const health::NodeState* choose_node_now(const health::Topology& topology,
                                             RotationTurn turn = RotationTurn::take);
    // The pool for this client on `node`: the one of its last lease while still current.
    pool::ServerPool& pool_on(const health::NodeState& node);
    std::optional<pool::Parameters> welcome_from_pool();
    boost::asio::awaitable<void> release_server();
    bool server_reusable() const;
    void give_back_server(bool reusable);
    boost::asio::awaitable<bool> reset_server();
    bool parameters_in_sync() const;
    boost::asio::awaitable<bool> sync_parameters();
    struct InternalQueryResult;
    boost::asio::awaitable<InternalQueryResult> run_internal_query(std::string_view sql);
    enum class LeaseCheck { usable, stale, read_only };
    // Whether a leased server may be used; the caller closes and gives back one that may not.
    LeaseCheck check_lease(ListenerRole role, Clock::time_point now);
    boost::asio::awaitable<bool> read_client(bool rest_of_message = false);
    boost::asio::awaitable<bool> read_server();
    boost::asio::awaitable<void> report_server_gone();
    // Session mode between transactions (pooled_session_server_watch.cpp).
    bool server_may_speak_first() const;
    boost::asio::awaitable<bool> read_client_while_server_may_speak();
    boost::asio::awaitable<bool> read_client_then_end_watch();
    boost::asio::awaitable<bool> watch_server();
    boost::asio::awaitable<bool> forward_client_messages();
    boost::asio::awaitable<bool> forward_server_messages();
    boost::asio::awaitable<bool> stream_client_message(std::size_t size, bool watch_release_words);
    boost::asio::awaitable<bool> stream_server_message(std::size_t size);
    std::string server_lost() const;
    boost::asio::awaitable<std::optional<protocol::ByteBuffer>> read_auth_message();
    boost::asio::awaitable<void> fail(std::string_view sqlstate, std::string message);
    boost::asio::awaitable<void> refuse_client_message(std::string_view error);
    boost::asio::awaitable<bool> send(protocol::ByteBuffer& bytes);
    pool::ServerLogin server_login() const;
    bool lease_may_end() const;
    bool rewrites_statements() const;
    pool::StatementContext statement_context();
    void note_parameter_status(protocol::Bytes payload);
    void count_ready_for_query(protocol::Bytes payload);
    ClientWait current_wait() const;
    void enter(ClientState state, Clock::time_point now) {
        state_ = state;
        state_since_ = now;
    }

    Worker& worker_;
    tls::SocketStream client_;
    std::shared_ptr<const tls::TlsContexts> tls_;  // taken at accept: a reload does not change it
    std::unique_ptr<net::GuardedDeadline> login_timer_;  // until the login is done
    std::optional<pool::QuotaTokens> client_slot_;        // this client's share of max_client_conn
    ListenerRole role_;
    std::uint64_t id_;
    std::string peer_;
    std::size_t max_packet_size_;  // pool.max_packet_size when the client connected
    std::string user_;
    std::string database_;
    std::string close_reason_;
    std::optional<std::string> stored_password_;  // from the auth file: plaintext or md5 hash
    std::optional<auth::ScramKeys> scram_keys_;   // from this client's SCRAM login
    // What the client's read buffer starts at and shrinks back to between requests.
    static constexpr std::size_t idle_read_size = 512;
    // Reads of a message that goes on in pieces (pool/streamed_message.hpp), either way.
    static constexpr std::size_t stream_read_size = 64 * 1024;
    // A client that kept us waiting at least this long is not in a tight request loop.
    static constexpr std::chrono::milliseconds slow_client_pause{1000};
    pool::FrameBuffer client_in_{idle_read_size};
    protocol::ByteBuffer out_;
    std::unique_ptr<pool::ServerConnection> server_;
    // The pool server_ is leased from, and between transactions the last one: reused for the
    // next transaction while the registry's generation is unchanged.
    struct PoolChoice {
        pool::ServerPool* pool = nullptr;
        std::string node;
        std::uint64_t generation = 0;
    } pool_;
    std::string node_;
    bool terminated_ = false;  // the client sent Terminate
    bool server_sent_fatal_ = false;  // the server's last words: it closes next
    struct ServerWatch {
        bool client_done = false;  // the client's read ended: the watch ends too
        bool server_busy = false;  // passing on what the server said: not to be cancelled
    } watch_;
    bool mid_message_ = false;  // a message is going on in pieces: the server cannot be reused
    bool slow_client_ = false;  // its last request came after a pause: wait for the next without a buffer
    bool welcomed_ = false;    // the client has its ReadyForQuery: waits now fall under failover_hold
    // The client's session settings: reported ones shared with clients that have the same
    // (pool/parameter_set_cache.hpp), the rest (rarely any) its own.
    pool::SharedParameters wanted_reported_;
    pool::Parameters wanted_other_;
    pool::ClientStatements statements_;    // the client's named prepared statements
    pool::StatementRewriter rewriter_;
    protocol::ByteBuffer to_server_;
    std::uint32_t cancel_secret_ = 0;
    conf::PoolMode mode_ = conf::PoolMode::transaction;  // this client's, from its database and user
    ClientWait wait_ = ClientWait::busy;
    Clock::time_point wait_since_{};
    std::optional<IdleExpiry> idle_expiry_;
    // For the operator's views and the pool's statistics.
    const Clock::time_point connected_at_ = Clock::now();
    ClientState state_ = ClientState::login;
    Clock::time_point state_since_ = connected_at_;
    pool::PoolStats* stats_ = nullptr;  // the leased server's pool's, while it is leased
    Clock::time_point transaction_started_{};  // {}: no transaction under way
    std::unique_ptr<boost::asio::steady_timer> pause_timer_;  // only while PAUSE holds the client
};

}  // namespace pgfront::proxy
