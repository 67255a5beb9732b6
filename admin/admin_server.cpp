// Admin HTTP server (see admin_server.hpp). cpp-httplib gives each request a pooled thread;
// handlers only copy snapshots and render them.
#include "admin/admin_server.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <stdexcept>
#include <thread>

#include "admin/metrics_text.hpp"
#include "admin/status_json.hpp"
#include "admin/vip_json.hpp"
#include "app/version.hpp"

namespace pgfront::admin {

struct AdminServer::Impl {
    AdminSources sources;
    httplib::Server server;
    std::thread thread;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

AdminServer::AdminServer(AdminSources sources) : impl_(std::make_unique<Impl>()) {
    impl_->sources = std::move(sources);
    auto& s = impl_->server;
    auto* impl = impl_.get();
    constexpr const char* json_type = "application/json";

    s.set_payload_max_length(64 * 1024);
    s.set_read_timeout(5, 0);
    s.set_write_timeout(5, 0);
    s.set_keep_alive_max_count(100);

    s.Get("/status", [impl, json_type](const httplib::Request&, httplib::Response& res) {
        StatusFacts facts{PGFRONT_VERSION, PGFRONT_IO_BACKEND, impl->sources.config_path, impl->sources.config_hash(),
                          std::chrono::duration<double>(std::chrono::steady_clock::now() - impl->started).count()};
        res.set_content(status_json(facts, *impl->sources.config(), *impl->sources.topology(),
                                    impl->sources.counters()),
                        json_type);
    });
    s.Get("/nodes", [impl, json_type](const httplib::Request&, httplib::Response& res) {
        res.set_content(nodes_json(*impl->sources.topology(), std::chrono::steady_clock::now()), json_type);
    });
    s.Get("/vip", [impl, json_type](const httplib::Request&, httplib::Response& res) {
        std::optional<vip::VipStatus> status;
        if (impl->sources.vip) status = impl->sources.vip();
        res.set_content(vip_json(status), json_type);
    });
    s.Get("/metrics", [impl](const httplib::Request&, httplib::Response& res) {
        const auto topology = impl->sources.topology();
        MetricsFacts facts;
        facts.topology = topology.get();
        facts.counters = impl->sources.counters();
        if (impl->sources.vip) facts.vip = impl->sources.vip();
        facts.uptime_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - impl->started).count();
        res.set_content(metrics_text(facts), "text/plain; version=0.0.4; charset=utf-8");
    });
    // Everything else: a JSON error with the right status, never a crash.
    s.set_error_handler([json_type](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;
        const auto message = res.status == 404 ? "no such endpoint: " + req.path
                                               : "request failed with HTTP status " + std::to_string(res.status);
        res.set_content(error_json(res.status, message), json_type);
    });
    s.set_exception_handler([json_type](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.set_content(error_json(500, "internal error"), json_type);
    });
}

AdminServer::~AdminServer() { stop(); }

void AdminServer::start(const conf::Endpoint& listen) {
    if (!impl_->server.bind_to_port(listen.host, listen.port))
        throw std::runtime_error("cannot listen: admin API on " + listen.to_string());
    impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
}

void AdminServer::stop() {
    impl_->server.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace pgfront::admin
