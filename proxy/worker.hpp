// One event-loop thread of the proxy: its listeners, its sessions, and the topology and
// config snapshots it routes by. Everything here runs on the worker's own thread; other
// threads reach it only through its CrossThreadInbox (post_from_any_thread and the post_*
// methods), never with asio::post: its io_context runs without locks.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include "conf/config.hpp"
#include "health/topology.hpp"
#include "net/cross_thread_inbox.hpp"
#include "pool/parameter_set_cache.hpp"
#include "pool/prepared_statements.hpp"
#include "auth/access_policy.hpp"
#include "pool/connection_quota.hpp"
#include "proxy/auth_lookup.hpp"
#include "proxy/cancel_directory.hpp"
#include "proxy/idle_sweeper.hpp"
#include "proxy/listener_role.hpp"
#include "proxy/pause_gate.hpp"
#include "proxy/proxy_snapshot.hpp"
#include "proxy/pool_registry.hpp"
#include "proxy/session_registry.hpp"
#include "tls/tls_contexts.hpp"

namespace pgfront::auth {
class UserList;
}

namespace pgfront::proxy {

class ProxyControl;

struct WorkerStats {
    std::atomic<std::uint64_t> accepted[2]{};
    std::atomic<std::uint64_t> active[2]{};
    std::atomic<std::uint64_t> no_node_errors{};           // clients refused: no eligible node in time
    std::atomic<std::uint64_t> closed_by_role_change{};
    std::atomic<std::uint64_t> read_only_refusals{};       // "primary" said in_hot_standby=on
    std::atomic<std::uint64_t> auth_failures{};
    std::atomic<std::uint64_t> rejected[2]{};  // clients refused before their login completed
};

struct WorkerServices {
    CancelDirectory& cancels;
    std::function<void(std::string node)> report_read_only;  // must be thread-safe
    std::atomic<std::uint64_t>& next_session_id;
    // Key for the SCRAM exchange an unknown user gets, so it looks like a real one.
    const std::vector<std::uint8_t>& mock_key;
    // max_db_connections / max_user_connections hold across workers.
    pool::QuotaTable& quotas;
    // max_client_conn holds across workers: a pooled client takes its share when it logs in.
    std::shared_ptr<pool::ConnectionQuota> client_slots;
    // Every worker of the process, by index (a cancel may reach a session of another worker).
    const std::vector<std::unique_ptr<Worker>>& workers;
    // What operators can ask of the whole proxy (the admin console uses it).
    ProxyControl& control;
};

class Worker {
public:
    using Clock = std::chrono::steady_clock;

    Worker(int index, std::shared_ptr<const conf::Config> config, WorkerServices services);
    ~Worker();

    // Binds both listeners (SO_REUSEPORT, so every worker has its own acceptor). Throws
    // boost::system::system_error when a port cannot be bound.
    void listen();
    void start_thread();
    void join();

    // Thread-safe: post to this worker.
    void post_topology(health::TopologyPtr topology);
    // A reload posts its users before its configuration: the configuration clears the
    // auth_query cache.
    void post_config(std::shared_ptr<const conf::Config> config);
    void post_users(std::shared_ptr<const auth::UserList> users);
    void post_tls(std::shared_ptr<const tls::TlsContexts> tls);
    void post_stop_accepting();
    void post_close_all(std::string reason);
    void post_stop();
    // Operators' requests, thread-safe; `done` runs on this worker's thread.
    void post_snapshot(std::function<void(ProxySnapshot)> done);
    void post_pause_state(PauseState state);
    void post_kill_client(std::uint64_t id, std::function<void(bool)> done);
    void post_kill_database(std::string database);
    // Thread-safe: `work` runs on this worker's thread.
    template <class Work>
    void post_from_any_thread(Work&& work) {
        inbox_.post(std::forward<Work>(work));
    }

    // Worker thread only.
    boost::asio::io_context& context() { return context_; }
    // Never hold this reference across a co_await: a reload replaces the configuration
    // meanwhile and frees the old one. A coroutine that reads it after waiting keeps its own
    // snapshot (and so works with one configuration from start to end).
    const conf::Config& config() const { return *config_; }
    std::shared_ptr<const conf::Config> config_snapshot() const { return config_; }
    conf::PoolMode pool_mode() const { return pool_mode_; }
    const health::TopologyPtr& topology() const { return topology_; }
    SessionRegistry& sessions() { return sessions_; }
    PoolRegistry& pools() { return pools_; }
    pool::StatementRegistry& statement_registry() { return statement_registry_; }
    pool::ParameterSetCache& parameter_sets() { return parameter_sets_; }
    AuthLookup& auth_lookup() { return auth_lookup_; }
    const auth::AccessPolicy& access_policy() const { return *access_policy_; }
    IdleSweeper& idle_sweeper() { return idle_sweeper_; }
    PauseGate& pause_gate() { return pause_gate_; }
    const std::shared_ptr<const auth::UserList>& users() const { return users_; }
    // The TLS contexts new sessions and server connections use; null: no TLS anywhere.
    const std::shared_ptr<const tls::TlsContexts>& tls() const { return tls_; }
    std::span<const std::uint8_t> mock_key() const { return services_.mock_key; }
    WorkerServices& services() { return services_; }
    WorkerStats& stats() { return stats_; }
    int index() const { return index_; }
    // Worker thread only: where a cancel of session `id`'s key goes now.
    std::optional<CancelTarget> cancel_target_of(std::uint64_t id) const;
    std::uint64_t next_rotation() { return rotation_++; }
    // The turn next_rotation() would give, left for the next one to take.
    std::uint64_t peek_rotation() const { return rotation_; }

    // Resolves when the topology changes or at `deadline`, whichever is first.
    boost::asio::awaitable<void> topology_change(Clock::time_point deadline);

    std::size_t session_count() const { return session_count_.load(std::memory_order_relaxed); }
    void session_started() { session_count_.fetch_add(1, std::memory_order_relaxed); }
    void session_ended() { session_count_.fetch_sub(1, std::memory_order_relaxed); }

private:
    boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor& acceptor, ListenerRole role);
    void apply_topology(health::TopologyPtr topology);
    ProxySnapshot snapshot() const;

    int index_;
    const conf::PoolMode pool_mode_;  // fixed for the process: sessions of both kinds never mix
    // One thread runs this context and only it touches the worker's sockets, timers and
    // queues, so Asio's locking is off (a mutex pair per handler otherwise: ~6-10% of user CPU).
    boost::asio::io_context context_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE};
    net::CrossThreadInbox& inbox_;
    std::shared_ptr<const conf::Config> config_;
    WorkerServices services_;
    health::TopologyPtr topology_;
    boost::asio::steady_timer topology_signal_;
    std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
    SessionRegistry sessions_;
    PoolRegistry pools_;
    pool::StatementRegistry statement_registry_;
    pool::ParameterSetCache parameter_sets_;
    AuthLookup auth_lookup_{*this};
    std::shared_ptr<const auth::AccessPolicy> access_policy_;
    IdleSweeper idle_sweeper_{context_.get_executor()};
    PauseGate pause_gate_;
    std::shared_ptr<const auth::UserList> users_;
    std::shared_ptr<const tls::TlsContexts> tls_;
    WorkerStats stats_;
    std::atomic<std::size_t> session_count_{0};
    std::uint64_t rotation_ = 0;
    std::thread thread_;
};

}  // namespace pgfront::proxy
