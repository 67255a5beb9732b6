// Worker event loop: accepts clients, spawns their sessions, applies topology snapshots and
// closes sessions bound to a node that lost the role their listener needs.
#include "proxy/worker.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <map>

#include "auth/scram_keys.hpp"
#include "auth/user_list.hpp"
#include "net/completion_tokens.hpp"
#include "proxy/client_access.hpp"
#include "proxy/pooled_session.hpp"
#include "proxy/relay_session.hpp"
#include "proxy/route_choice.hpp"
#include "proxy/server_view.hpp"

namespace pgfront::proxy {
namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace {
using net::nothrow;
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

IdleTimeouts idle_timeouts(const conf::Config& config) {
    return {config.pool.client_idle_timeout, config.pool.idle_transaction_timeout};
}

tcp::endpoint resolve_listen(const conf::Endpoint& endpoint) {
    const auto host = endpoint.host == "*" ? std::string("0.0.0.0") : endpoint.host;
    return {asio::ip::make_address(host), endpoint.port};
}
void assert_nobody_listens(const tcp::endpoint& endpoint) {
    asio::io_context scratch;
    tcp::acceptor probe(scratch);
    probe.open(endpoint.protocol());
    probe.set_option(tcp::acceptor::reuse_address(true));
    probe.bind(endpoint);
    probe.listen(1);
}
}  // namespace

Worker::Worker(int index, std::shared_ptr<const conf::Config> config, WorkerServices services)
    : index_(index),
      pool_mode_(config->pool.mode),
      inbox_(asio::make_service<net::CrossThreadInbox>(context_)),
      config_(std::move(config)),
      services_(services),
      topology_signal_(context_, Clock::time_point::max()),
      pools_(context_.get_executor(), services_.quotas),
      access_policy_(access_policy_from(config_->auth)) {
    idle_sweeper_.configure(idle_timeouts(*config_));
}

Worker::~Worker() { join(); }

void Worker::listen() {
    auto open = [&](const conf::Endpoint& where, ListenerRole role) {
        auto acceptor = std::make_unique<tcp::acceptor>(context_);
        const auto endpoint = resolve_listen(where);
        try {
            // SO_REUSEPORT lets this process's workers share the port, but would also let a
            // second pgfront (same user) start on it and silently take half the connections:
            // the first worker first checks that nobody else listens there.
            if (index_ == 0) assert_nobody_listens(endpoint);
            acceptor->open(endpoint.protocol());
            acceptor->set_option(tcp::acceptor::reuse_address(true));
            acceptor->set_option(reuse_port(true));
            acceptor->bind(endpoint);
            acceptor->listen(config_->listen.backlog);
        } catch (const boost::system::system_error& e) {
            throw std::runtime_error("cannot listen: " + std::string(to_string(role)) + " port on " + where.to_string() +
                                     ": " + e.code().message());
        }
        asio::co_spawn(context_, accept_loop(*acceptor, role), [where](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                spdlog::critical("accept loop on {} failed: {}", where.to_string(), ex.what());
            }
        });
        acceptors_.push_back(std::move(acceptor));
    };
    open(config_->listen.primary, ListenerRole::primary);
    open(config_->listen.replica, ListenerRole::replica);
}

void Worker::start_thread() {
    thread_ = std::thread([this] {
        // Keeps run() going while acceptors are closed during shutdown.
        auto guard = asio::make_work_guard(context_);
        for (;;) {
            try {
                context_.run();
                break;
            } catch (const std::exception& e) {
                spdlog::critical("worker {} event loop error: {}", index_, e.what());
            }
        }
    });
}

void Worker::join() {
    if (thread_.joinable()) thread_.join();
}

asio::awaitable<void> Worker::accept_loop(tcp::acceptor& acceptor, ListenerRole role) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(nothrow);
        if (ec) {
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
            // EMFILE and friends: log and back off briefly instead of spinning.
            spdlog::error("accept failed listener={} error=\"{}\"", to_string(role), ec.message());
            asio::steady_timer pause(context_);
            pause.expires_after(std::chrono::milliseconds(100));
            co_await pause.async_wait(nothrow);
            continue;
        }
        stats_.accepted[static_cast<int>(role)].fetch_add(1, std::memory_order_relaxed);
        auto on_error = [](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                spdlog::error("session ended by an unexpected error: {}", ex.what());
            }
        };
        if (pool_mode_ == conf::PoolMode::none)
            asio::co_spawn(context_, RelaySession::run(std::make_shared<RelaySession>(*this, std::move(socket), role)),
                           on_error);
        else
            asio::co_spawn(context_,
                           PooledSession::run(std::make_shared<PooledSession>(*this, std::move(socket), role)),
                           on_error);
    }
}

asio::awaitable<void> Worker::topology_change(Clock::time_point deadline) {
    asio::steady_timer timeout(context_, deadline);
    co_await (topology_signal_.async_wait(nothrow) || timeout.async_wait(nothrow));
}

void Worker::post_topology(health::TopologyPtr topology) {
    inbox_.post([this, topology = std::move(topology)]() mutable { apply_topology(std::move(topology)); });
}

void Worker::apply_topology(health::TopologyPtr topology) {
    topology_ = std::move(topology);
    // Close sessions whose node no longer serves their listener (HAProxy's
    // on-marked-down shutdown-sessions): a client left on a demoted primary would write
    // into a read-only server or a dead socket.
    std::map<std::string, int> closed;
    for (auto* session : sessions_.snapshot()) {
        if (session->node().empty()) continue;
        if (topology_ && node_still_serves(*topology_, session->role(), session->node())) continue;
        ++closed[session->node() + " (" + std::string(to_string(session->role())) + " port)"];
        spdlog::debug("closing session id={} on node {}: node lost the role of its listener", session->id(),
                      session->node());
        session->close("node lost the role of its listener");
    }
    for (const auto& [where, count] : closed) {
        stats_.closed_by_role_change.fetch_add(count, std::memory_order_relaxed);
        spdlog::warn("closed sessions count={} on {}: node no longer serves that role", count, where);
    }
    if (topology_) pools_.on_topology(*topology_);
    topology_signal_.cancel();  // wake clients waiting for an eligible node
}

std::optional<CancelTarget> Worker::cancel_target_of(std::uint64_t id) const {
    const auto* session = sessions_.find(id);
    if (!session) return std::nullopt;
    return session->cancel_target();
}

void Worker::post_snapshot(std::function<void(ProxySnapshot)> done) {
    inbox_.post([this, done = std::move(done)] { done(snapshot()); });
}

void Worker::post_pause_state(PauseState state) {
    inbox_.post([this, state = std::move(state)]() mutable { pause_gate_.set(std::move(state)); });
}

void Worker::post_kill_client(std::uint64_t id, std::function<void(bool)> done) {
    inbox_.post([this, id, done = std::move(done)] {
        for (auto* session : sessions_.snapshot()) {
            if (session->id() != id) continue;
            spdlog::info("client killed by operator id={}", id);
            session->terminate("killed by an operator");
            done(true);
            return;
        }
        done(false);
    });
}

void Worker::post_kill_database(std::string database) {
    inbox_.post([this, database = std::move(database)] {
        const auto now = Clock::now();
        std::size_t killed = 0;
        for (auto* session : sessions_.snapshot()) {
            if (session->view(now).database != database) continue;
            session->terminate("database killed by an operator");
            ++killed;
        }
        pools_.drain_database(database);
        if (killed > 0) spdlog::info("database killed by operator db={} clients={}", database, killed);
    });
}

// This worker's part of the operator's view. Pool rows come from the pools (servers, waiters)
// and the sessions (relayed sessions in mode none have no pool but count as one per key).
ProxySnapshot Worker::snapshot() const {
    ProxySnapshot part;
    const auto now = Clock::now();
    std::map<PoolKey, PoolView> rows;
    auto row = [&](const PoolKey& key) -> PoolView& {
        auto [it, fresh] = rows.try_emplace(key);
        if (fresh) {
            it->second.role = key.role;
            it->second.node = key.node;
            it->second.database = key.database;
            it->second.user = key.user;
            it->second.mode = pool_mode_ == conf::PoolMode::none
                                  ? conf::PoolMode::none
                                  : pool::effective_settings(config_->pool, key.database, key.user).mode;
        }
        return it->second;
    };
    for (const auto& [key, pool] : pools_.pools()) {
        auto& r = row(key);
        const auto counts = pool->counts();
        r.clients_waiting += counts.waiting;
        r.servers_active += counts.active;
        r.servers_idle += counts.idle;
        r.servers_connecting += counts.connecting;
        r.draining = pool->draining();
        if (const auto since = pool->oldest_wait())
            r.max_wait_seconds = std::max(r.max_wait_seconds, std::chrono::duration<double>(now - *since).count());
        for (const auto& [id, server] : pool->idle_servers())
            part.servers.push_back(describe_server(*server, key.role, key.database, key.user, 0, now));
    }
    for (const auto* session : sessions_.snapshot()) {
        auto client = session->view(now);
        if (auto server = session->server_view(now)) {
            auto& r = row(PoolKey{client.role, server->node, client.database, client.user});
            ++r.clients_active;
            if (pool_mode_ == conf::PoolMode::none) ++r.servers_active;
            part.servers.push_back(std::move(*server));
        }
        part.clients.push_back(std::move(client));
    }
    for (const auto& [key, stats] : pools_.stats()) row(key).stats = stats;
    part.pools.reserve(rows.size());
    for (auto& [key, view] : rows) part.pools.push_back(std::move(view));
    part.paused_all = pause_gate_.state().all;
    part.paused_databases.assign(pause_gate_.state().databases.begin(), pause_gate_.state().databases.end());
    return part;
}

void Worker::post_config(std::shared_ptr<const conf::Config> config) {
    inbox_.post([this, config = std::move(config)]() mutable {
        config_ = std::move(config);
        // A reload posts the users first and the configuration last, each waking this worker
        // on its own: a lookup begun in between still asks with the old auth_query. Cleared
        // here, after both, its answer stays out of the cache (AuthLookup counts the clears).
        auth_lookup_.clear();
        auth::ScramKeys::forget_remembered();  // passwords the reload may have removed
        access_policy_ = access_policy_from(config_->auth);
        idle_sweeper_.configure(idle_timeouts(*config_));
        pools_.reconfigure(*config_);
    });
}

void Worker::post_users(std::shared_ptr<const auth::UserList> users) {
    inbox_.post([this, users = std::move(users)]() mutable {
        users_ = std::move(users);  // the auth cache is cleared with the configuration that follows
    });
}

void Worker::post_tls(std::shared_ptr<const tls::TlsContexts> tls) {
    inbox_.post([this, tls = std::move(tls)]() mutable {
        pools_.set_tls(tls);
        tls_ = std::move(tls);
    });
}

void Worker::post_stop_accepting() {
    inbox_.post([this] {
        for (auto& acceptor : acceptors_) {
            boost::system::error_code ignored;
            acceptor->close(ignored);
        }
    });
}

void Worker::post_close_all(std::string reason) {
    inbox_.post([this, reason = std::move(reason)] {
        for (auto* session : sessions_.snapshot()) session->close(reason);
    });
}

void Worker::post_stop() {
    inbox_.post([this] { context_.stop(); });
}

}  // namespace pgfront::proxy
