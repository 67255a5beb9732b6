// Owns the workers and what they share (cancel keys, session ids); see proxy_server.hpp.
#include "proxy/proxy_server.hpp"

#include <spdlog/spdlog.h>

#include <mutex>
#include <stdexcept>
#include <vector>

#include "auth/random_source.hpp"
#include "proxy/cancel_directory.hpp"
#include "proxy/worker.hpp"

namespace pgfront::proxy {

struct ProxyServer::Impl final : ProxyControl {
    void snapshot(std::function<void(SnapshotPtr)> done) override;
    void pause(std::optional<std::string> database) override;
    bool resume(std::optional<std::string> database) override;
    void kill_client(std::uint64_t id, std::function<void(bool)> done) override;
    void kill_database(std::string database) override;
    void reload(std::function<void(ReloadOutcome)> done) override;
    void shutdown() override;

    CancelDirectory cancels;
    std::atomic<std::uint64_t> next_session_id{1};
    std::vector<std::uint8_t> mock_key = std::vector<std::uint8_t>(32);
    pool::QuotaTable quotas;
    std::shared_ptr<pool::ConnectionQuota> client_slots = std::make_shared<pool::ConnectionQuota>();
    ReadOnlyReporter report_read_only;
    std::vector<std::unique_ptr<Worker>> workers;
    DaemonHooks hooks;
    const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::mutex pause_mutex;  // operators only: never taken on a session's path
    PauseState pause_state;
};

// Each worker adds its part; the last one to answer hands over the merged whole.
void ProxyServer::Impl::snapshot(std::function<void(SnapshotPtr)> done) {
    struct Gathering {
        std::mutex mutex;
        ProxySnapshot merged;
        std::size_t remaining;
        std::function<void(SnapshotPtr)> done;
        std::chrono::steady_clock::time_point started;
    };
    auto gathering = std::make_shared<Gathering>();
    gathering->started = started;
    gathering->remaining = workers.size();
    gathering->done = std::move(done);
    for (auto& worker : workers) {
        worker->post_snapshot([gathering](ProxySnapshot part) {
            std::unique_lock lock(gathering->mutex);
            gathering->merged.merge(std::move(part));
            if (--gathering->remaining > 0) return;
            gathering->merged.uptime_seconds = std::chrono::duration<double>(
                std::chrono::steady_clock::now() - gathering->started).count();
            auto whole = std::make_shared<const ProxySnapshot>(std::move(gathering->merged));
            lock.unlock();
            gathering->done(std::move(whole));
        });
    }
}

void ProxyServer::Impl::pause(std::optional<std::string> database) {
    PauseState state;
    {
        std::lock_guard lock(pause_mutex);
        if (database) pause_state.databases.insert(*database);
        else pause_state.all = true;
        state = pause_state;
    }
    spdlog::info("pause requested db={}", database.value_or("(all)"));
    for (auto& worker : workers) worker->post_pause_state(state);
}

bool ProxyServer::Impl::resume(std::optional<std::string> database) {
    PauseState state;
    {
        std::lock_guard lock(pause_mutex);
        if (database) {
            if (pause_state.databases.erase(*database) == 0) return false;
        } else {
            if (pause_state.empty()) return false;
            pause_state = {};
        }
        state = pause_state;
    }
    spdlog::info("resume requested db={}", database.value_or("(all)"));
    for (auto& worker : workers) worker->post_pause_state(state);
    return true;
}

void ProxyServer::Impl::kill_client(std::uint64_t id, std::function<void(bool)> done) {
    struct Search {
        std::mutex mutex;
        std::size_t remaining;
        bool found = false;
        std::function<void(bool)> done;
    };
    auto search = std::make_shared<Search>();
    search->remaining = workers.size();
    search->done = std::move(done);
    for (auto& worker : workers) {
        worker->post_kill_client(id, [search](bool killed) {
            std::unique_lock lock(search->mutex);
            search->found = search->found || killed;
            if (--search->remaining > 0) return;
            const bool found = search->found;
            lock.unlock();
            search->done(found);
        });
    }
}

// As PgBouncer's KILL: the database stays paused, so that its clients do not come straight
// back; RESUME lets them in again. Paused first: a client reconnecting at once waits.
void ProxyServer::Impl::kill_database(std::string database) {
    pause(database);
    for (auto& worker : workers) worker->post_kill_database(database);
}

void ProxyServer::Impl::reload(std::function<void(ReloadOutcome)> done) {
    if (!hooks.reload) {
        ReloadOutcome outcome;
        outcome.errors.push_back("reload is not available");
        done(std::move(outcome));
        return;
    }
    hooks.reload(std::move(done));
}

void ProxyServer::Impl::shutdown() {
    if (hooks.shutdown) hooks.shutdown();
}

ProxyServer::ProxyServer(std::shared_ptr<const conf::Config> config, int workers, ReadOnlyReporter report_read_only)
    : impl_(std::make_unique<Impl>()) {
    impl_->report_read_only = std::move(report_read_only);
    auth::SystemRandom random;
    random.fill(impl_->mock_key);
    for (int i = 0; i < std::max(1, workers); ++i)
        impl_->workers.push_back(std::make_unique<Worker>(
            i, config,
            WorkerServices{impl_->cancels, impl_->report_read_only, impl_->next_session_id, impl_->mock_key,
                           impl_->quotas, impl_->client_slots, impl_->workers, *impl_}));
}

ProxyServer::~ProxyServer() { stop(); }

void ProxyServer::start() {
    for (auto& worker : impl_->workers) worker->listen();
    for (auto& worker : impl_->workers) worker->start_thread();
}

void ProxyServer::publish(health::TopologyPtr topology) {
    for (auto& worker : impl_->workers) worker->post_topology(topology);
}

void ProxyServer::update_config(std::shared_ptr<const conf::Config> config) {
    for (auto& worker : impl_->workers) worker->post_config(config);
}

void ProxyServer::update_users(std::shared_ptr<const auth::UserList> users) {
    for (auto& worker : impl_->workers) worker->post_users(users);
}

void ProxyServer::update_tls(std::shared_ptr<const tls::TlsContexts> tls) {
    for (auto& worker : impl_->workers) worker->post_tls(tls);
}

void ProxyServer::stop_accepting() {
    for (auto& worker : impl_->workers) worker->post_stop_accepting();
}

void ProxyServer::close_all_sessions(std::string reason) {
    for (auto& worker : impl_->workers) worker->post_close_all(reason);
}

std::size_t ProxyServer::active_sessions() const {
    std::size_t total = 0;
    for (const auto& worker : impl_->workers) total += worker->session_count();
    return total;
}

ProxyCounters ProxyServer::counters() const {
    ProxyCounters c;
    for (const auto& worker : impl_->workers) {
        auto& s = worker->stats();
        c.accepted_primary += s.accepted[0].load(std::memory_order_relaxed);
        c.accepted_replica += s.accepted[1].load(std::memory_order_relaxed);
        c.active_primary += s.active[0].load(std::memory_order_relaxed);
        c.active_replica += s.active[1].load(std::memory_order_relaxed);
        c.no_node_errors += s.no_node_errors.load(std::memory_order_relaxed);
        c.closed_by_role_change += s.closed_by_role_change.load(std::memory_order_relaxed);
        c.read_only_refusals += s.read_only_refusals.load(std::memory_order_relaxed);
        c.auth_failures += s.auth_failures.load(std::memory_order_relaxed);
        c.rejected_primary += s.rejected[0].load(std::memory_order_relaxed);
        c.rejected_replica += s.rejected[1].load(std::memory_order_relaxed);
    }
    return c;
}

ProxyControl& ProxyServer::control() { return *impl_; }

void ProxyServer::set_daemon_hooks(DaemonHooks hooks) { impl_->hooks = std::move(hooks); }

void ProxyServer::stop() {
    for (auto& worker : impl_->workers) worker->post_stop();
    for (auto& worker : impl_->workers) worker->join();
}

}  // namespace pgfront::proxy
