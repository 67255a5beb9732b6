// The topology state machine: per-node fall/rise and role rules, the primary election and
// replica eligibility, recomputed after every input and published as immutable snapshots.
#include "health/topology_tracker.hpp"

#include <algorithm>

#include "health/api_url.hpp"

namespace pgfront::health {
namespace {

using Level = TrackerEvent::Level;

constexpr std::size_t kMaxEvents = 1000;  // if nobody drains them, keep the newest
constexpr std::size_t kWalHistory = 16;   // primary positions kept for lag comparisons
constexpr std::uint16_t kDefaultPgPort = 5432;

bool serves_reads(Role r) {
    return r == Role::replica || r == Role::standby_leader;
}

std::string ms(conf::Duration d) {
    return std::to_string(d.count()) + "ms";
}

std::string describe(const PatroniStatus& s) {
    std::string out = s.state + " " + (s.role_name.empty() ? "unknown" : s.role_name);
    if (s.timeline != 0) out += ", timeline " + std::to_string(s.timeline);
    return out;
}

}  // namespace

TopologyTracker::TopologyTracker(const conf::HealthConfig& config,
                                 std::vector<conf::NodeSeed> seeds)
    : config_(config) {
    for (auto& seed : seeds) {
        if (find(seed.name) != nullptr) continue;  // the config loader rejects duplicates
        nodes_.emplace_back(std::move(seed));
    }
    sort_nodes();
    publish(true);
    events_.clear();
}

TopologyTracker::Node* TopologyTracker::find(std::string_view name) {
    for (auto& n : nodes_) {
        if (n.seed.name == name) return &n;
    }
    return nullptr;
}

void TopologyTracker::sort_nodes() {
    std::sort(nodes_.begin(), nodes_.end(),
              [](const Node& a, const Node& b) { return a.seed.name < b.seed.name; });
}

void TopologyTracker::record(Level level, std::string node, std::string message) {
    if (events_.size() >= kMaxEvents) events_.erase(events_.begin());
    events_.push_back(TrackerEvent{level, std::move(node), std::move(message)});
}

std::vector<TrackerEvent> TopologyTracker::take_events() {
    return std::exchange(events_, {});
}

void TopologyTracker::reset_health(Node& n) {
    const bool drained = n.drained;
    n = Node(std::move(n.seed), n.discovered);
    n.drained = drained;
}

void TopologyTracker::expire_holds(TimePoint now) {
    for (auto& n : nodes_) {
        if (n.hold && now >= n.hold->until) {
            n.hold.reset();
            record(Level::info, n.seed.name, "read-only hold expired");
        }
    }
}

bool TopologyTracker::observe(std::string_view name, const PatroniStatus& status, TimePoint now) {
    expire_holds(now);
    Node* n = find(name);
    if (n == nullptr) return publish(false);
    const int rise = std::max(1, config_.rise);

    n->last_check = now;
    n->last_answer = now;
    n->last_error.clear();
    n->failures = 0;
    ++n->successes;

    if (n->last && (n->last->role != status.role || n->last->state != status.state ||
                    n->last->timeline != status.timeline)) {
        record(Level::info, n->seed.name,
               "Patroni reports " + describe(status) + " (was " + describe(*n->last) + ")");
    }
    if (!n->up && n->successes >= rise) {
        n->up = true;
        record(Level::info, n->seed.name, "up: " + describe(status));
    }
    if (n->hold && (status.role != n->hold->role || status.timeline != n->hold->timeline ||
                    status.postmaster_start_time != n->hold->postmaster_start_time)) {
        n->hold.reset();
        record(Level::info, n->seed.name,
               "read-only hold lifted: Patroni reports a new role, timeline or restart");
    }

    // Losing the primary role counts at once; gaining it needs `rise` answers in a row.
    if (status.role == Role::primary && status.state == "running") {
        ++n->primary_streak;
        if (n->primary_streak >= rise) n->primary_confirmed = true;
    } else {
        n->primary_streak = 0;
        n->primary_confirmed = false;
    }
    if (status.role == Role::primary && status.wal_location) {
        n->wal_history.emplace_back(now, *status.wal_location);
        if (n->wal_history.size() > kWalHistory) n->wal_history.pop_front();
    } else {
        n->wal_history.clear();
    }
    n->last = status;
    return publish(false);
}

bool TopologyTracker::observe_failure(std::string_view name, std::string reason, TimePoint now) {
    expire_holds(now);
    Node* n = find(name);
    if (n == nullptr) return publish(false);
    const int fall = std::max(1, config_.fall);

    n->last_check = now;
    n->last_error = std::move(reason);
    n->successes = 0;
    n->primary_streak = 0;  // "consecutive" primary answers; a confirmed primary stays
    ++n->failures;
    if (n->failures == fall) {
        // Logged once per outage, also for a node that was never up.
        record(
            Level::warning, n->seed.name,
            (n->up ? "down after " + std::to_string(fall) + " failed checks: " : "unreachable: ") +
                n->last_error);
        n->up = false;
        n->primary_confirmed = false;
        n->wal_history.clear();
    }
    return publish(false);
}

bool TopologyTracker::add_members(const std::vector<ClusterMember>& members, TimePoint now) {
    expire_holds(now);
    bool membership = false;
    for (const auto& m : members) {
        if (m.name.empty() || m.host.empty() || m.api_url.empty()) continue;
        conf::NodeSeed seed{m.name, m.host, m.port != 0 ? m.port : kDefaultPgPort, m.api_url};
        Node* n = find(m.name);
        // A seed named differently from its Patroni member is still the same node.
        const bool known_api = std::any_of(nodes_.begin(), nodes_.end(), [&](const Node& o) {
            return o.seed.name != m.name && api_base_url(o.seed.api) == seed.api;
        });
        if (known_api) continue;
        if (n == nullptr) {
            record(Level::info, m.name,
                   "discovered from GET /cluster: " + seed.host + ":" + std::to_string(seed.port) +
                       ", api " + seed.api);
            nodes_.emplace_back(std::move(seed), true);
            membership = true;
        } else if (n->discovered && n->seed != seed) {
            record(Level::info, m.name,
                   "address changed in GET /cluster: " + seed.host + ":" +
                       std::to_string(seed.port) + ", api " + seed.api);
            const bool api_changed = n->seed.api != seed.api;
            n->seed = std::move(seed);
            if (api_changed) reset_health(*n);
        }
    }
    sort_nodes();
    return publish(membership);
}

bool TopologyTracker::on_read_only_primary(std::string_view name, TimePoint now) {
    expire_holds(now);
    Node* n = find(name);
    if (n == nullptr) return publish(false);
    ReadOnlyHold hold;
    hold.until = now + config_.read_only_hold;
    if (n->last) {
        hold.role = n->last->role;
        hold.timeline = n->last->timeline;
        hold.postmaster_start_time = n->last->postmaster_start_time;
    }
    if (!n->hold) {
        record(Level::warning, n->seed.name,
               "server reported in_hot_standby=on; not used as primary for " +
                   ms(config_.read_only_hold) +
                   " unless Patroni reports a new role, timeline or restart");
    }
    n->hold = std::move(hold);
    return publish(false);
}

void TopologyTracker::note_check(std::string_view name, double seconds, bool ok, std::string error, TimePoint now) {
    Node* n = find(name);
    if (n == nullptr) return;
    n->check_seconds.observe(seconds);
    if (!ok) ++n->checks_failed;
    n->history.push_back(CheckRecord{now, ok, seconds, std::move(error)});
    while (n->history.size() > history_length) n->history.pop_front();
    cached_.reset();
}

bool TopologyTracker::set_drained(std::string_view name, bool drained) {
    Node* n = find(name);
    if (n == nullptr || n->drained == drained) return false;
    n->drained = drained;
    record(Level::info, n->seed.name, drained ? "drained: no new work" : "undrained");
    return publish(false);
}

bool TopologyTracker::tick(TimePoint now) {
    expire_holds(now);
    return publish(false);
}

bool TopologyTracker::reconfigure(const conf::HealthConfig& config,
                                  std::vector<conf::NodeSeed> seeds) {
    config_ = config;
    std::vector<Node> next;
    std::vector<bool> taken(nodes_.size(), false);
    bool membership = false;
    for (auto& seed : seeds) {
        const bool duplicate = std::any_of(next.begin(), next.end(),
                                           [&](const Node& n) { return n.seed.name == seed.name; });
        if (duplicate) continue;
        auto old = std::find_if(nodes_.begin(), nodes_.end(),
                                [&](const Node& n) { return n.seed.name == seed.name; });
        if (old == nodes_.end()) {
            next.emplace_back(std::move(seed));
            membership = true;
            continue;
        }
        taken[static_cast<std::size_t>(old - nodes_.begin())] = true;
        Node n = std::move(*old);
        const bool api_changed = n.seed.api != seed.api;
        n.seed = std::move(seed);
        n.discovered = false;
        if (api_changed) reset_health(n);
        next.push_back(std::move(n));
    }
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        if (taken[i]) continue;
        if (nodes_[i].discovered) {
            next.push_back(std::move(nodes_[i]));
        } else {
            record(Level::info, nodes_[i].seed.name, "removed from the configuration");
            membership = true;
        }
    }
    nodes_ = std::move(next);
    sort_nodes();
    return publish(membership);
}

bool TopologyTracker::forget_discovered() {
    const auto before = nodes_.size();
    std::erase_if(nodes_, [](const Node& n) { return n.discovered; });
    return publish(nodes_.size() != before);
}

bool TopologyTracker::is_primary_candidate(const Node& n) const {
    return n.up && n.last && n.last->state == "running" && n.last->role == Role::primary &&
           n.primary_confirmed && !n.hold;
}

const TopologyTracker::Node* TopologyTracker::elect_primary() {
    std::vector<const Node*> candidates;
    for (const auto& n : nodes_) {
        if (is_primary_candidate(n)) candidates.push_back(&n);
    }
    // Higher timeline, then the incumbent; nodes_ is sorted by name, so on a remaining tie
    // the first candidate (the lowest name) stays.
    auto beats = [this](const Node* c, const Node* w) {
        if (c->last->timeline != w->last->timeline) return c->last->timeline > w->last->timeline;
        return c->seed.name == acting_primary_ && w->seed.name != acting_primary_;
    };
    const Node* winner = nullptr;
    for (const Node* c : candidates) {
        if (winner == nullptr || beats(c, winner)) winner = c;
    }
    if (candidates.size() > 1) {
        std::string list;
        for (const Node* c : candidates) {
            if (!list.empty()) list += ", ";
            list += c->seed.name + " (timeline " + std::to_string(c->last->timeline) + ")";
        }
        std::string key = winner->seed.name + ": " + list;
        if (key != conflict_) {
            record(Level::error, "",
                   "more than one node reports a running primary: " + list + "; using " +
                       winner->seed.name + " and no other for writes");
            conflict_ = std::move(key);
        }
    } else if (!conflict_.empty()) {
        record(Level::info, "", "only one node reports a running primary again");
        conflict_.clear();
    }
    acting_primary_ = winner != nullptr ? winner->seed.name : std::string();
    return winner;
}

std::string TopologyTracker::primary_exclusion(const Node& n, const Node* acting) const {
    if (!n.up) return "down";
    if (n.hold) return "read-only hold";
    if (!n.last || n.last->state != "running") return "not running";
    if (n.last->role != Role::primary) return "role is " + std::string(to_string(n.last->role));
    if (!n.primary_confirmed) return "waiting for rise";
    if (acting != &n) return "another node won the primary election";
    return {};
}

std::string TopologyTracker::replica_exclusion(const Node& n, bool count_drain) const {
    if (count_drain && n.drained) return "drained";
    if (!n.up) return "down";
    if (!n.last || n.last->state != "running") return "not running";
    if (!serves_reads(n.last->role)) return "role is " + std::string(to_string(n.last->role));
    if (n.last->noloadbalance) return "tag noloadbalance";
    if (n.lag && *n.lag > config_.max_replica_lag) {
        return "lag " + std::to_string(*n.lag) + " bytes > max_replica_lag " +
               std::to_string(config_.max_replica_lag);
    }
    return {};
}

TopologyTracker::Routing TopologyTracker::routing_of(const Node& n) const {
    Routing r;
    r.host = n.seed.host;
    r.port = n.seed.port;
    r.api = n.seed.api;
    if (n.last) {
        r.role = n.last->role;
        r.state = n.last->state;
        r.timeline = n.last->timeline;
        r.noloadbalance = n.last->noloadbalance;
        r.nofailover = n.last->nofailover;
        r.pause = n.last->pause;
    }
    r.up = n.up;
    r.eligible_primary = n.eligible_primary;
    r.eligible_replica = n.eligible_replica;
    r.drained = n.drained;
    r.read_only_hold = n.hold.has_value();
    r.discovered = n.discovered;
    return r;
}

bool TopologyTracker::publish(bool membership_changed) {
    const Node* acting = elect_primary();
    bool changed = membership_changed;
    std::string primary_name;
    for (auto& n : nodes_) {
        // A drained primary keeps its role: writes have nowhere else to go until Patroni
        // moves the leader (the operator is told to switch over).
        n.eligible_primary = (&n == acting);
        if (n.eligible_primary) primary_name = n.seed.name;

        // Patroni's rule: primary position minus the replica's furthest position. The
        // primary's position is taken at or before the replica's answer, so polling order
        // and REST blips do not make a healthy replica look behind.
        n.lag.reset();
        if (acting != nullptr && &n != acting && n.last && serves_reads(n.last->role) &&
            !acting->wal_history.empty()) {
            std::optional<std::uint64_t> pos = n.last->received_location;
            if (n.last->replayed_location && (!pos || *n.last->replayed_location > *pos)) {
                pos = n.last->replayed_location;
            }
            if (pos) {
                std::uint64_t primary_pos = acting->wal_history.front().second;
                for (auto it = acting->wal_history.rbegin(); it != acting->wal_history.rend();
                     ++it) {
                    if (it->first <= n.last_answer) {
                        primary_pos = it->second;
                        break;
                    }
                }
                n.lag = primary_pos > *pos ? primary_pos - *pos : 0;
            }
        }
        n.eligible_replica = replica_exclusion(n).empty();
        n.replica_when_undrained = n.eligible_replica || (n.drained && replica_exclusion(n, false).empty());

        Routing r = routing_of(n);
        if (r == n.published) continue;
        changed = true;
        if (r.eligible_primary != n.published.eligible_primary) {
            if (r.eligible_primary) {
                record(Level::info, n.seed.name, "now the primary");
            } else {
                record(Level::warning, n.seed.name,
                       "no longer the primary: " + primary_exclusion(n, acting));
            }
        }
        if (r.eligible_replica != n.published.eligible_replica) {
            if (r.eligible_replica) {
                record(Level::info, n.seed.name, "eligible as replica");
            } else {
                record(Level::info, n.seed.name,
                       "not eligible as replica: " + replica_exclusion(n));
            }
        }
        n.published = std::move(r);
    }
    if (primary_name.empty() && !published_primary_.empty()) {
        record(Level::warning, "", "no eligible primary");
    }
    published_primary_ = std::move(primary_name);
    if (changed) ++version_;
    cached_.reset();  // details (lag, counters, last_check) change even when routing does not
    return changed;
}

TopologyPtr TopologyTracker::snapshot() const {
    if (cached_) return cached_;
    auto t = std::make_shared<Topology>();
    t->version = version_;
    t->nodes.reserve(nodes_.size());
    for (const auto& n : nodes_) {
        NodeState s;
        s.name = n.seed.name;
        s.host = n.seed.host;
        s.port = n.seed.port;
        s.api = n.seed.api;
        if (n.last) {
            s.role = n.last->role;
            s.state = n.last->state;
            s.timeline = n.last->timeline;
            s.noloadbalance = n.last->noloadbalance;
            s.nofailover = n.last->nofailover;
            s.pause = n.last->pause;
            s.patroni_version = n.last->patroni_version;
        }
        s.up = n.up;
        s.eligible_primary = n.eligible_primary;
        s.eligible_replica = n.eligible_replica;
        s.drained = n.drained;
        s.replica_when_undrained = n.replica_when_undrained;
        s.history.assign(n.history.begin(), n.history.end());
        s.check_seconds = n.check_seconds;
        s.checks_failed = n.checks_failed;
        s.lag_bytes = n.lag;
        s.last_check = n.last_check;
        s.last_error = n.last_error;
        s.consecutive_failures = n.failures;
        s.consecutive_successes = n.successes;
        s.read_only_hold = n.hold.has_value();
        s.discovered = n.discovered;
        t->nodes.push_back(std::move(s));
    }
    cached_ = std::move(t);
    return cached_;
}

std::vector<conf::NodeSeed> TopologyTracker::endpoints() const {
    std::vector<conf::NodeSeed> out;
    out.reserve(nodes_.size());
    for (const auto& n : nodes_) out.push_back(n.seed);
    return out;
}

std::optional<TopologyTracker::TimePoint> TopologyTracker::next_deadline() const {
    std::optional<TimePoint> next;
    for (const auto& n : nodes_) {
        if (n.hold && (!next || n.hold->until < *next)) next = n.hold->until;
    }
    return next;
}

}  // namespace pgfront::health
