// Owns the workers and what they share (cancel keys, session ids); see proxy_server.hpp.
#include "proxy/proxy_server.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <vector>

#include "auth/random_source.hpp"
#include "proxy/cancel_directory.hpp"
#include "proxy/worker.hpp"

namespace pgfront::proxy {

struct ProxyServer::Impl {
    CancelDirectory cancels;
    std::atomic<std::uint64_t> next_session_id{1};
    std::vector<std::uint8_t> mock_key = std::vector<std::uint8_t>(32);
    pool::QuotaTable quotas;
    ReadOnlyReporter report_read_only;
    std::vector<std::unique_ptr<Worker>> workers;
};

ProxyServer::ProxyServer(std::shared_ptr<const conf::Config> config, int workers, ReadOnlyReporter report_read_only)
    : impl_(std::make_unique<Impl>()) {
    impl_->report_read_only = std::move(report_read_only);
    auth::SystemRandom random;
    random.fill(impl_->mock_key);
    for (int i = 0; i < std::max(1, workers); ++i)
        impl_->workers.push_back(std::make_unique<Worker>(
            i, config,
            WorkerServices{impl_->cancels, impl_->report_read_only, impl_->next_session_id, impl_->mock_key,
                           impl_->quotas}));
}

ProxyServer::~ProxyServer() { stop(); }

void ProxyServer::start() {
    for (auto& worker : impl_->workers) {
        try {
            worker->listen();
        } catch (const boost::system::system_error& e) {
            throw std::runtime_error(std::string("cannot listen: ") + e.what());
        }
    }
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
    }
    return c;
}

void ProxyServer::stop() {
    for (auto& worker : impl_->workers) worker->post_stop();
    for (auto& worker : impl_->workers) worker->join();
}

}  // namespace pgfront::proxy
