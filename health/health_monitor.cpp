// HealthMonitor: one coroutine per node polling GET /patroni, one for GET /cluster
// discovery, all on one strand, feeding the pure TopologyTracker and logging its events.
#include "health/health_monitor.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <mutex>
#include <optional>

#include "health/api_url.hpp"
#include "health/cluster_members.hpp"
#include "health/detail/rest_client.hpp"
#include "health/patroni_status.hpp"
#include "health/topology_tracker.hpp"

namespace pgfront::health {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// Patroni's answers are a few kB; anything near this is not Patroni.
constexpr std::size_t kBodyLimit = std::size_t{1024} * 1024;

void log_event(const TrackerEvent& e) {
    const auto level = e.level == TrackerEvent::Level::error     ? spdlog::level::err
                       : e.level == TrackerEvent::Level::warning ? spdlog::level::warn
                                                                 : spdlog::level::info;
    if (e.node.empty()) {
        spdlog::log(level, "health: {}", e.message);
    } else {
        spdlog::log(level, "health: node {}: {}", e.node, e.message);
    }
}

// Where GET /patroni and GET /cluster can be sent, or why not.
ParseResult<ApiUrl> pollable_url(const std::string& api) {
    auto url = parse_api_url(api);
    if (url && url.value().scheme != "http") {
        return ParseError{"https API URLs are not supported yet (" + api + ")"};
    }
    return url;
}

}  // namespace

class HealthMonitor::Impl : public std::enable_shared_from_this<Impl> {
  public:
    Impl(const asio::any_io_executor& executor, const conf::ClusterConfig& cluster,
         const conf::HealthConfig& health, OnChange on_change)
        : strand_(asio::make_strand(executor)),
          cluster_(cluster),
          on_change_(std::move(on_change)),
          tracker_(health, cluster.nodes),
          discovery_timer_(strand_),
          tick_timer_(strand_),
          current_(tracker_.snapshot()) {}

    void start() {
        asio::post(strand_, [self = shared_from_this()] { self->do_start(); });
    }

    void stop() {
        stopped_ = true;
        asio::post(strand_, [self = shared_from_this()] { self->do_stop(); });
    }

    void reconfigure(const conf::ClusterConfig& cluster, const conf::HealthConfig& health) {
        asio::post(strand_, [self = shared_from_this(), cluster, health] {
            self->do_reconfigure(cluster, health);
        });
    }

    void report_read_only(std::string node) {
        asio::post(strand_, [self = shared_from_this(), node = std::move(node)] {
            if (self->stopped_) return;
            self->publish(self->tracker_.on_read_only_primary(node, Clock::now()));
            if (auto it = self->pollers_.find(node); it != self->pollers_.end()) {
                it->second->poll_now = true;
                it->second->timer.cancel();
            }
        });
    }

    void set_drained(std::string node, bool drained) {
        asio::post(strand_, [self = shared_from_this(), node = std::move(node), drained] {
            if (self->stopped_) return;
            self->publish(self->tracker_.set_drained(node, drained));
        });
    }

    TopologyPtr current() const {
        std::lock_guard lock(current_mutex_);
        return current_;
    }

  private:
    struct Poller {
        Poller(const asio::strand<asio::any_io_executor>& strand, std::string n, std::string a)
            : name(std::move(n)), api(std::move(a)), timer(strand) {}

        void deactivate() {
            active = false;
            if (client) client->close();
            if (hedge) hedge->close();
            timer.cancel();
        }

        std::string name;
        std::string api;
        // Shared with the request coroutines, which may outlive a request they lost.
        std::shared_ptr<detail::RestClient> client;
        std::shared_ptr<detail::RestClient> hedge;  // the second request of a raced poll
        asio::steady_timer timer;
        bool active = true;
        bool poll_now = false;
    };

    void do_start() {
        if (started_ || stopped_) return;
        started_ = true;
        spdlog::info("health: monitoring {} node(s) of cluster '{}', discovery {}",
                     tracker_.endpoints().size(), cluster_.name, cluster_.discover ? "on" : "off");
        publish(true);
        sync_pollers();
        spawn(run_discovery(shared_from_this()), "discovery");
    }

    void do_stop() {
        for (auto& [name, poller] : pollers_) poller->deactivate();
        pollers_.clear();
        discovery_timer_.cancel();
        tick_timer_.cancel();
        if (discovery_client_) discovery_client_->close();
    }

    void do_reconfigure(const conf::ClusterConfig& cluster, const conf::HealthConfig& health) {
        if (stopped_) return;
        cluster_ = cluster;
        bool changed = tracker_.reconfigure(health, cluster.nodes);
        if (!cluster.discover) changed = tracker_.forget_discovered() || changed;
        if (started_) {
            sync_pollers();
            wake_pollers();             // intervals may have changed
            discovery_timer_.cancel();  // discover with the new seeds now
        }
        publish(changed);
    }

    template <class Awaitable>
    void spawn(Awaitable&& work, std::string what) {
        asio::co_spawn(strand_, std::forward<Awaitable>(work),
                       [what = std::move(what)](const std::exception_ptr& e) {
                           if (!e) return;
                           try {
                               std::rethrow_exception(e);
                           } catch (const std::exception& ex) {
                               spdlog::error("health: {} stopped by an exception: {}", what,
                                             ex.what());
                           } catch (...) {
                               spdlog::error("health: {} stopped by an unknown exception", what);
                           }
                       });
    }

    // One poller per known node; pollers of removed nodes or changed api URLs are stopped.
    void sync_pollers() {
        const auto wanted = tracker_.endpoints();
        for (auto it = pollers_.begin(); it != pollers_.end();) {
            const auto w = std::find_if(wanted.begin(), wanted.end(), [&](const conf::NodeSeed& s) {
                return s.name == it->first;
            });
            if (w == wanted.end() || w->api != it->second->api) {
                it->second->deactivate();
                it = pollers_.erase(it);
            } else {
                ++it;
            }
        }
        for (const auto& w : wanted) {
            if (pollers_.contains(w.name)) continue;
            auto p = std::make_shared<Poller>(strand_, w.name, w.api);
            pollers_.emplace(w.name, p);
            spawn(run_poller(shared_from_this(), p), "poller for node " + w.name);
        }
    }

    void wake_pollers() {
        for (auto& [name, poller] : pollers_) poller->timer.cancel();
    }

    // Faster while there is nobody to route writes to, so a promotion is seen quickly.
    conf::Duration poll_interval() const {
        return leader_known_ ? tracker_.config().interval : tracker_.config().failover_interval;
    }

    static bool leader_known(const Topology& t) {
        if (t.primary() != nullptr) return true;
        // A standby cluster has no primary of its own; its standby leader plays that part.
        return std::any_of(t.nodes.begin(), t.nodes.end(), [](const NodeState& n) {
            return n.up && n.role == Role::standby_leader && n.state == "running";
        });
    }

    void publish(bool changed) {
        for (const auto& e : tracker_.take_events()) log_event(e);
        auto snap = tracker_.snapshot();
        {
            std::lock_guard lock(current_mutex_);
            current_ = snap;
        }
        const bool leader = leader_known(*snap);
        if (leader_known_ && !leader) wake_pollers();
        leader_known_ = leader;
        schedule_tick();
        if (!changed || stopped_ || !on_change_) return;
        try {
            on_change_(snap);
        } catch (const std::exception& e) {
            spdlog::error("health: topology subscriber threw: {}", e.what());
        }
    }

    // Read-only holds end by time as well as by Patroni's answers.
    void schedule_tick() {
        const auto next = tracker_.next_deadline();
        if (!next || (tick_at_ && *tick_at_ <= *next) || stopped_) return;
        tick_at_ = next;
        tick_timer_.expires_at(*next);
        tick_timer_.async_wait(asio::bind_executor(
            strand_, [self = shared_from_this()](const boost::system::error_code& ec) {
                if (ec || self->stopped_) return;
                self->tick_at_.reset();
                self->publish(self->tracker_.tick(Clock::now()));
            }));
    }

    bool apply(const std::string& node, const detail::RestOutcome& outcome, TimePoint started) {
        const auto now = Clock::now();
        const double seconds = std::chrono::duration<double>(now - started).count();
        auto failed = [&](std::string error) {
            tracker_.note_check(node, seconds, false, error, now);
            return tracker_.observe_failure(node, std::move(error), now);
        };
        if (!outcome.response) return failed(outcome.error);
        if (outcome.response->status != 200)
            return failed("GET /patroni answered HTTP " + std::to_string(outcome.response->status));
        auto status = parse_patroni_status(outcome.response->body);
        if (!status) return failed("GET /patroni: " + status.error());
        tracker_.note_check(node, seconds, true, {}, now);
        return tracker_.observe(node, status.value(), now);
    }

    // `self` keeps the monitor's state alive for as long as the coroutine runs.
    asio::awaitable<void> run_poller([[maybe_unused]] std::shared_ptr<Impl> self,
                                     std::shared_ptr<Poller> p) {
        auto url = pollable_url(p->api);
        if (!url) {
            spdlog::error("health: node {}: not polled: {}", p->name, url.error());
            publish(tracker_.observe_failure(p->name, url.error(), Clock::now()));
            co_return;
        }
        p->client = std::make_shared<detail::RestClient>(strand_, url.value(), kBodyLimit);
        std::optional<TimePoint> last_start;
        while (p->active && !stopped_) {
            while (last_start && !p->poll_now) {
                const auto due = *last_start + poll_interval();
                if (Clock::now() >= due) break;
                p->timer.expires_at(due);
                co_await p->timer.async_wait(kUseTuple);  // cancelled: re-read the interval
                if (!p->active || stopped_) co_return;
            }
            p->poll_now = false;
            last_start = Clock::now();
            const auto outcome = co_await poll_once(p, url.value(), *last_start);
            if (!p->active || stopped_) co_return;
            publish(apply(p->name, outcome, *last_start));
        }
    }

    // What one GET /patroni of a node came to; shared by the requests racing for it.
    struct PollRace {
        std::optional<detail::RestOutcome> outcome;
        std::shared_ptr<detail::RestClient> answered_by;  // idle once it has answered
    };

    // One GET /patroni. While nobody takes writes, a request unanswered after
    // failover_interval is raced by a fresh one on a new connection, again every
    // failover_interval: while it restarts a crashed primary, Patroni can hold one request
    // for over a second while a new one answers in milliseconds, and that answer is the
    // promotion pgfront is waiting for. Only the first request's error or timeout counts
    // against the node, so fall/rise mean what they did; a hedge only brings an answer
    // sooner. Requests never outnumber two, and never come more often than the
    // failover_interval polling they stand in for.
    asio::awaitable<detail::RestOutcome> poll_once(std::shared_ptr<Poller> p, const ApiUrl& url,
                                                   TimePoint started) {
        auto race = std::make_shared<PollRace>();
        launch_request(p, race, p->client, false);
        TimePoint newest = started;
        while (!race->outcome && p->active && !stopped_) {
            if (leader_known_) {
                p->timer.expires_at(TimePoint::max());  // woken by the answer or wake_pollers
            } else if (const auto due = newest + tracker_.config().failover_interval;
                       Clock::now() < due) {
                p->timer.expires_at(due);
            } else {
                if (p->hedge) p->hedge->close();
                p->hedge = std::make_shared<detail::RestClient>(strand_, url, kBodyLimit);
                newest = Clock::now();
                spdlog::debug("health: node {}: GET /patroni unanswered for {}ms; asking again "
                              "on a new connection",
                              p->name, std::chrono::duration_cast<std::chrono::milliseconds>(
                                           newest - started).count());
                launch_request(p, race, p->hedge, true);
                continue;
            }
            co_await p->timer.async_wait(kUseTuple);
        }
        if (!race->outcome) co_return detail::RestOutcome{std::nullopt, "stopped"};
        // The losers are abandoned with their connections; their coroutines end on their
        // own. A hedge replaced by a newer one may still be the one that answered.
        for (const auto& client : {p->client, p->hedge}) {
            if (client && client != race->answered_by) client->close();
        }
        p->client = std::move(race->answered_by);
        p->hedge.reset();
        co_return std::move(*race->outcome);
    }

    void launch_request(const std::shared_ptr<Poller>& p, const std::shared_ptr<PollRace>& race,
                        const std::shared_ptr<detail::RestClient>& client, bool hedge) {
        spawn(run_request(shared_from_this(), p, race, client, hedge),
              "GET /patroni for node " + p->name);
    }

    asio::awaitable<void> run_request([[maybe_unused]] std::shared_ptr<Impl> self,
                                      std::shared_ptr<Poller> p, std::shared_ptr<PollRace> race,
                                      std::shared_ptr<detail::RestClient> client, bool hedge) {
        auto outcome = co_await client->get("/patroni", tracker_.config().timeout);
        if (race->outcome || (hedge && !outcome.response)) co_return;
        race->outcome = std::move(outcome);
        race->answered_by = std::move(client);
        p->timer.cancel();
    }

    asio::awaitable<void> run_discovery([[maybe_unused]] std::shared_ptr<Impl> self) {
        while (!stopped_) {
            if (cluster_.discover) co_await discover_once();
            if (stopped_) co_return;
            discovery_timer_.expires_after(tracker_.config().discover_interval);
            co_await discovery_timer_.async_wait(kUseTuple);
        }
    }

    // GET /cluster from the first node that answers: the primary, then nodes that are up,
    // then the rest. Each attempt is bounded by the health timeout.
    asio::awaitable<void> discover_once() {
        const auto snap = tracker_.snapshot();
        std::vector<const NodeState*> order;
        for (const auto& n : snap->nodes) order.push_back(&n);
        std::stable_sort(order.begin(), order.end(), [](const NodeState* a, const NodeState* b) {
            auto rank = [](const NodeState* n) { return n->eligible_primary ? 0 : n->up ? 1 : 2; };
            return rank(a) < rank(b);
        });
        for (const NodeState* node : order) {
            auto url = pollable_url(node->api);
            if (!url) continue;
            discovery_client_ =
                std::make_shared<detail::RestClient>(strand_, url.value(), kBodyLimit);
            auto client = discovery_client_;
            const auto outcome = co_await client->get("/cluster", tracker_.config().timeout);
            discovery_client_.reset();
            if (stopped_ || !cluster_.discover) co_return;
            if (!outcome.response || outcome.response->status != 200) {
                spdlog::debug("health: GET /cluster from {} failed: {}", node->name,
                              outcome.response ? "HTTP " + std::to_string(outcome.response->status)
                                               : outcome.error);
                continue;
            }
            auto members = parse_cluster_members(outcome.response->body);
            if (!members) {
                spdlog::warn("health: GET /cluster from {}: {}", node->name, members.error());
                continue;
            }
            const bool changed = tracker_.add_members(members.value(), Clock::now());
            sync_pollers();
            publish(changed);
            co_return;
        }
        spdlog::debug("health: discovery found no node answering GET /cluster");
    }

    asio::strand<asio::any_io_executor> strand_;
    conf::ClusterConfig cluster_;
    OnChange on_change_;
    TopologyTracker tracker_;
    std::map<std::string, std::shared_ptr<Poller>, std::less<>> pollers_;
    asio::steady_timer discovery_timer_;
    asio::steady_timer tick_timer_;
    std::shared_ptr<detail::RestClient> discovery_client_;
    std::optional<TimePoint> tick_at_;
    bool leader_known_ = false;
    bool started_ = false;
    std::atomic<bool> stopped_{false};
    mutable std::mutex current_mutex_;
    TopologyPtr current_;
};

HealthMonitor::HealthMonitor(boost::asio::any_io_executor executor,
                             const conf::ClusterConfig& cluster, const conf::HealthConfig& health,
                             OnChange on_change)
    : impl_(std::make_shared<Impl>(std::move(executor), cluster, health, std::move(on_change))) {}

HealthMonitor::~HealthMonitor() {
    stop();
}

void HealthMonitor::start() {
    impl_->start();
}
void HealthMonitor::stop() {
    impl_->stop();
}

void HealthMonitor::reconfigure(const conf::ClusterConfig& cluster,
                                const conf::HealthConfig& health) {
    impl_->reconfigure(cluster, health);
}

void HealthMonitor::report_read_only(std::string node) {
    impl_->report_read_only(std::move(node));
}

void HealthMonitor::set_drained(std::string node, bool drained) {
    impl_->set_drained(std::move(node), drained);
}

TopologyPtr HealthMonitor::current() const {
    return impl_->current();
}

}  // namespace pgfront::health
