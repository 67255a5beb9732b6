// pgfront daemon entry point: parses the command line, loads the config, and wires the
// health monitor, the proxy workers and the signal handling together. No logic lives here.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>

#include "admin/admin_server.hpp"
#include "app/log_line_escape.hpp"
#include "app/systemd_notify.hpp"
#include "app/version.hpp"
#include "auth/user_list.hpp"
#include "conf/config_loader.hpp"
#include "health/health_monitor.hpp"
#include "proxy/proxy_server.hpp"
#include "tls/tls_contexts.hpp"
#include "vip/capabilities.hpp"
#include "vip/release_vip.hpp"
#include "vip/speaker_settings.hpp"
#include "vip/vip_speaker.hpp"

namespace asio = boost::asio;
using namespace pgfront;

namespace {

constexpr const char* usage_text =
    "Usage: pgfront -c FILE [--check-config | --release-vip]\n"
    "       pgfront --version | --help\n"
    "\n"
    "pgfront stands in front of a Patroni-managed PostgreSQL cluster: it follows the\n"
    "cluster through Patroni's REST API and sends its primary port to the leader and its\n"
    "replica port to healthy replicas.\n"
    "\n"
    "  -c, --config FILE   the YAML configuration (see packaging/pgfront.yaml)\n"
    "      --check-config  validate FILE, print every problem with its line, and exit\n"
    "                      (0 valid, 1 invalid)\n"
    "      --release-vip   remove the vip: address from its interface (after a priority-0\n"
    "                      advert when it was there) and exit; for systemd ExecStopPost\n"
    "      --version       print the version and the event-loop backend\n"
    "  -h, --help          this text\n"
    "\n"
    "Signals: SIGHUP reloads the configuration (an invalid file is reported and the running\n"
    "configuration kept); SIGTERM/SIGINT stop accepting, let sessions finish for\n"
    "listen.shutdown_grace, then exit 0 (a second signal exits at once).\n"
    "Under systemd (Type=notify) it reports readiness, reloads and stopping on $NOTIFY_SOCKET\n"
    "and pings the watchdog when WATCHDOG_USEC is set. Manual: man pgfront.\n";

struct Options {
    std::string config_path;
    bool check_only = false;
    bool release_vip = false;
};

// Returns an exit code to stop with, or -1 to run.
int parse_options(int argc, char** argv, Options& options) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "-c" || arg == "--config") {
            if (i + 1 >= argc) {
                std::cerr << "pgfront: " << arg << " needs a file\n" << usage_text;
                return 2;
            }
            options.config_path = argv[++i];
        } else if (arg.rfind("--config=", 0) == 0) {
            options.config_path = arg.substr(9);
        } else if (arg == "--check-config") {
            options.check_only = true;
        } else if (arg == "--release-vip") {
            options.release_vip = true;
        } else if (arg == "--version") {
            std::cout << "pgfront " << PGFRONT_VERSION << " (event loop: " << PGFRONT_IO_BACKEND << ")\n";
            return 0;
        } else if (arg == "-h" || arg == "--help") {
            std::cout << usage_text;
            return 0;
        } else {
            std::cerr << "pgfront: unknown argument '" << arg << "'\n" << usage_text;
            return 2;
        }
    }
    if (options.config_path.empty()) {
        std::cerr << "pgfront: -c FILE is required\n" << usage_text;
        return 2;
    }
    return -1;
}

void configure_logging(const conf::LogConfig& log) {
    std::shared_ptr<spdlog::logger> logger;
    if (log.file.empty())
        logger = std::make_shared<spdlog::logger>("pgfront", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    else
        logger = std::make_shared<spdlog::logger>("pgfront",
                                                  std::make_shared<spdlog::sinks::basic_file_sink_mt>(log.file));
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<app::EscapedMessageFlag>('*').set_pattern("%Y-%m-%d %H:%M:%S.%e %l %*");
    logger->set_formatter(std::move(formatter));
    logger->set_level(spdlog::level::from_str(log.level));
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(std::move(logger));
}

void report_errors(const conf::LoadResult& result, const std::string& path) {
    for (const auto& error : result.errors) std::cerr << conf::describe(error, path) << "\n";
}

// The pooling modes' users from auth.auth_file (PgBouncer's userlist.txt). Null with
// `error` set when the file cannot be read or has errors; null and no error when not needed.
std::shared_ptr<const auth::UserList> load_users(const conf::Config& config, std::string& error) {
    if (config.pool.mode == conf::PoolMode::none || config.auth.auth_file.empty()) return nullptr;
    std::ifstream in(config.auth.auth_file, std::ios::binary);
    if (!in) {
        error = config.auth.auth_file + ": cannot read the auth file";
        return nullptr;
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = auth::parse_user_list(text.str());
    if (!parsed.ok()) {
        const auto& first = parsed.errors.front();
        error = config.auth.auth_file + ":" + std::to_string(first.line) + ":" + std::to_string(first.column) + ": " +
                first.message;
        return nullptr;
    }
    for (const auto& warning : parsed.warnings)
        spdlog::warn("{}:{}: {}", config.auth.auth_file, warning.line, warning.message);
    auth::SystemRandom random;
    parsed.users.derive_scram_secrets(random);
    return std::make_shared<const auth::UserList>(std::move(parsed.users));
}

class Daemon {
public:
    Daemon(std::string path, std::shared_ptr<const conf::Config> config,
           std::optional<vip::SpeakerSettings> vip_settings)
        : path_(std::move(path)),
          config_(std::move(config)),
          signals_(control_, SIGTERM, SIGINT, SIGHUP),
          proxy_(config_, config_->listen.workers,
                 [this](std::string node) { monitor_.report_read_only(std::move(node)); }),
          monitor_(control_.get_executor(), config_->cluster, config_->health,
                   [this](health::TopologyPtr topology) { on_topology(std::move(topology)); }),
          admin_(admin::AdminSources{
              [this] { return monitor_.current(); },
              [this] { return proxy_.counters(); },
              [this] { return std::atomic_load(&shared_config_); },
              [this] {
                  std::lock_guard lock(hash_mutex_);
                  return config_hash_;
              },
              path_,
              [this]() -> std::optional<vip::VipStatus> {
                  if (!vip_) return std::nullopt;
                  return vip_->status();
              },
              &proxy_.control(),
              [this](std::string node, bool drained) { monitor_.set_drained(std::move(node), drained); }}) {
        if (vip_settings) vip_ = std::make_unique<vip::VipSpeaker>(control_.get_executor(), std::move(*vip_settings));
        // Operators' reloads and shutdowns (admin API, console) run on the control loop, like
        // the signals that do the same.
        proxy_.set_daemon_hooks(proxy::DaemonHooks{
            [this](std::function<void(proxy::ReloadOutcome)> done) {
                asio::post(control_, [this, done = std::move(done)] { done(reload()); });
            },
            [this] {
                asio::post(control_, [this] {
                    spdlog::info("shutdown requested by an operator");
                    begin_stop();
                });
            }});
    }

    void set_users(std::shared_ptr<const auth::UserList> users) { proxy_.update_users(std::move(users)); }
    void set_tls(std::shared_ptr<const tls::TlsContexts> tls) {
        for (const auto& line : tls->summary) spdlog::info("TLS {}", line);
        proxy_.update_tls(std::move(tls));
    }

    int run(const std::string& config_hash) {
        config_hash_ = config_hash;
        shared_config_ = config_;
        proxy_.start();
        admin_.start(config_->admin.listen);
        if (vip_) {
            vip_->start();  // listeners are bound: this pgfront may hold the VIP
            vip_->set_listeners_up(true);
        }
        monitor_.start();
        spdlog::info("pgfront {} started cluster={} primary={} replica={} workers={} event_loop={}", PGFRONT_VERSION,
                     config_->cluster.name, config_->listen.primary.to_string(),
                     config_->listen.replica.to_string(), config_->listen.workers, PGFRONT_IO_BACKEND);
        systemd_.ready("listening: primary " + config_->listen.primary.to_string() + ", replica " +
                       config_->listen.replica.to_string() + ", admin " + config_->admin.listen.to_string());
        systemd_.start_watchdog(control_.get_executor());
        wait_signal();
        control_.run();
        admin_.stop();
        proxy_.stop();
        spdlog::info("pgfront stopped");
        return 0;
    }

private:
    void on_topology(health::TopologyPtr topology) {
        const auto* primary = topology->primary();
        std::string replicas;
        for (const auto* r : topology->replicas()) replicas += (replicas.empty() ? "" : ",") + r->name;
        spdlog::info("topology version={} primary={} replicas=[{}]", topology->version,
                     primary ? primary->name : "none", replicas);
        systemd_.status(primary ? "primary " + primary->name + ", replicas [" + replicas + "]"
                                : "no primary: clients of the primary port wait for one");
        if (vip_) vip_->on_topology(topology);
        proxy_.publish(std::move(topology));
    }

    void wait_signal() {
        signals_.async_wait([this](boost::system::error_code ec, int signal) {
            if (ec) return;
            if (signal == SIGHUP) {
                systemd_.reloading();
                reload();
                systemd_.ready();
                wait_signal();
                return;
            }
            if (stopping_) {
                spdlog::warn("second stop signal: closing every session now");
                finish();
                return;
            }
            begin_stop();
            wait_signal();
        });
    }

    // SIGTERM/SIGINT or an operator's SHUTDOWN: no new clients, sessions get the grace period.
    void begin_stop() {
        if (stopping_) return;
        stopping_ = true;
        systemd_.stopping(config_->listen.shutdown_grace);
        // New clients go to the peer from now on: hand the VIP over before draining.
        if (vip_) vip_->shutdown("stop signal");
        spdlog::info("stop signal: no new clients; waiting up to {} ms for {} session(s)",
                     config_->listen.shutdown_grace.count(), proxy_.active_sessions());
        proxy_.stop_accepting();
        grace_deadline_ = std::chrono::steady_clock::now() + config_->listen.shutdown_grace;
        poll_drained();
    }

    void poll_drained() {
        if (proxy_.active_sessions() == 0 || std::chrono::steady_clock::now() >= grace_deadline_) {
            if (proxy_.active_sessions() > 0)
                spdlog::warn("shutdown grace over: closing {} session(s)", proxy_.active_sessions());
            finish();
            return;
        }
        drain_timer_.expires_after(std::chrono::milliseconds(50));
        drain_timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec) poll_drained();
        });
    }

    void finish() {
        if (vip_) vip_->shutdown("pgfront is stopping");
        proxy_.close_all_sessions("pgfront is shutting down");
        monitor_.stop();
        signals_.cancel();
        drain_timer_.cancel();
        control_.stop();
    }

    // Every problem is reported and the running configuration kept; or everything that can
    // change live is applied and what needs a restart is named.
    proxy::ReloadOutcome reload() {
        proxy::ReloadOutcome outcome;
        auto rejected = [&](std::string error) {
            spdlog::error("reload rejected, keeping the running configuration: {}", error);
            outcome.errors.push_back(std::move(error));
        };
        {
            std::lock_guard lock(hash_mutex_);
            outcome.config_hash = config_hash_;
        }
        auto result = conf::load_config_file(path_);
        if (!result.ok()) {
            for (const auto& error : result.errors) rejected(conf::describe(error, path_));
            return outcome;
        }
        // Pass-through and pooling are different sessions, made at accept; a running process
        // cannot turn one into the other, and the rest of such a file (no auth: section for
        // mode none) would lock pooled clients out. Between the pooling modes, new clients
        // simply get the new mode, as with a per-database mode.
        if ((result.config->pool.mode == conf::PoolMode::none) != (config_->pool.mode == conf::PoolMode::none)) {
            rejected(path_ + ": pool.mode cannot change between none and a pooling mode while pgfront runs; "
                             "restart pgfront to use this file");
            return outcome;
        }
        auto next_config = std::make_shared<conf::Config>(*result.config);
        auto& next = *next_config;
        std::string users_error;
        auto users = load_users(next, users_error);
        if (!users_error.empty()) {
            rejected(users_error);
            return outcome;
        }
        // Certificate files are read again even when their names did not change: that is
        // how a renewed certificate comes into use.
        auto tls = tls::load_tls_contexts(next.tls);
        if (!tls.contexts) {
            for (const auto& error : tls.errors) rejected(path_ + ": " + error);
            return outcome;
        }
        // What waits for a restart keeps its running value in the configuration put in place,
        // so that /status and SHOW CONFIG say what the process does.
        auto needs_restart = [&](auto& next_value, const auto& running_value, const char* key) {
            if (next_value == running_value) return;
            spdlog::warn("reload: {} changes only after a restart", key);
            outcome.restart_required.push_back(key);
            next_value = running_value;
        };
        needs_restart(next.listen.primary, config_->listen.primary, "listen.primary");
        needs_restart(next.listen.replica, config_->listen.replica, "listen.replica");
        needs_restart(next.listen.workers, config_->listen.workers, "listen.workers");
        needs_restart(next.admin.listen, config_->admin.listen, "admin.listen");
        needs_restart(next.log.file, config_->log.file, "log.file");
        proxy_.update_users(std::move(users));
        set_tls(std::move(tls.contexts));
        spdlog::set_level(spdlog::level::from_str(next.log.level));
        monitor_.reconfigure(next.cluster, next.health);
        for (auto& key : reload_vip(next.vip)) outcome.restart_required.push_back(std::move(key));
        proxy_.update_config(next_config);
        config_ = next_config;
        std::atomic_store(&shared_config_, config_);
        {
            std::lock_guard lock(hash_mutex_);
            config_hash_ = result.text_hash;
        }
        spdlog::info("configuration reloaded from {} hash={}", path_, result.text_hash);
        outcome.applied = true;
        outcome.config_hash = result.text_hash;
        return outcome;
    }

    // The vip: keys that wait for a restart.
    std::vector<std::string> reload_vip(const conf::VipConfig& next) {
        if (!vip_ && !next.enabled) return {};
        auto restart = vip::restart_only_changes(config_->vip, next);
        for (const auto& key : restart) spdlog::warn("reload: {} changes only after a restart", key);
        if (!vip_ || !next.enabled) return {restart.begin(), restart.end()};
        auto settings = vip::to_speaker_settings(next);
        if (settings.settings) vip_->reconfigure(std::move(*settings.settings));
        return {restart.begin(), restart.end()};
    }

    std::string path_;
    std::shared_ptr<const conf::Config> config_;
    asio::io_context control_{1};
    asio::signal_set signals_;
    app::SystemdNotifier systemd_ = app::SystemdNotifier::from_environment();
    asio::steady_timer drain_timer_{control_};
    proxy::ProxyServer proxy_;
    health::HealthMonitor monitor_;
    // Read by the admin threads: swapped atomically on reload.
    std::shared_ptr<const conf::Config> shared_config_;
    std::mutex hash_mutex_;
    std::string config_hash_;
    admin::AdminServer admin_;
    // After control_: destroyed (and so shut down: priority 0, VIP removed) before it.
    std::unique_ptr<vip::VipSpeaker> vip_;
    bool stopping_ = false;
    std::chrono::steady_clock::time_point grace_deadline_{};
};

}  // namespace

int main(int argc, char** argv) {
    Options options;
    if (const int code = parse_options(argc, argv, options); code >= 0) return code;

    auto loaded = conf::load_config_file(options.config_path);
    if (!loaded.ok()) {
        report_errors(loaded, options.config_path);
        std::cerr << "pgfront: " << loaded.errors.size() << " problem(s) in " << options.config_path << "\n";
        return 1;
    }
    std::string users_error;  // --release-vip (ExecStopPost) needs no users: skip a broken auth file
    auto users = options.release_vip ? nullptr : load_users(*loaded.config, users_error);
    if (!users_error.empty()) {
        std::cerr << users_error << "\n";
        return 1;
    }
    auto tls = tls::load_tls_contexts(loaded.config->tls);
    if (!tls.contexts) {
        for (const auto& error : tls.errors) std::cerr << options.config_path << ": " << error << "\n";
        return 1;
    }
    if (options.check_only) {
        std::cout << options.config_path << ": configuration is valid\n";
        return 0;
    }

    std::optional<vip::SpeakerSettings> vip_settings;
    if (loaded.config->vip.enabled) {
        auto mapped = vip::to_speaker_settings(loaded.config->vip);
        if (!mapped.settings) {
            for (const auto& error : mapped.errors) std::cerr << options.config_path << ": " << error << "\n";
            return 1;
        }
        vip_settings = std::move(mapped.settings);
    }
    if (options.release_vip) {
        if (!vip_settings) {
            std::cout << "pgfront: " << options.config_path << " has no vip: section; nothing to release\n";
            return 0;
        }
        return vip::release_vip(*vip_settings, std::cout);
    }
    if (vip_settings) {
        if (const auto problem = vip::capabilities_problem(); !problem.empty()) {
            std::cerr << "pgfront: cannot start: " << problem << "\n";
            return 1;
        }
    }

    configure_logging(loaded.config->log);
    try {
        Daemon daemon(options.config_path, loaded.config, std::move(vip_settings));
        daemon.set_users(std::move(users));
        daemon.set_tls(std::move(tls.contexts));
        return daemon.run(loaded.text_hash);
    } catch (const std::exception& e) {
        spdlog::critical("pgfront cannot start: {}", e.what());
        return 1;
    }
}
