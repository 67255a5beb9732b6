// See metrics_text.hpp. A registry is built per scrape from the snapshots: scrapes are rare,
// and the values live in the proxy's own counters, never behind a lock shared with it.
#include "admin/metrics_text.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <map>

namespace pgfront::admin {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

constexpr const char* client_states[] = {"login", "idle", "active", "waiting", "paused"};

prometheus::Histogram::BucketBoundaries histogram_bounds() {
    const auto& b = metrics::DurationHistogram::bounds;
    return {b.begin(), b.end()};
}

void add_histogram(prometheus::Family<prometheus::Histogram>& family, const prometheus::Labels& labels,
                   const metrics::DurationHistogram& h) {
    const auto buckets = h.buckets();
    family.Add(labels, histogram_bounds()).ObserveMultiple({buckets.begin(), buckets.end()}, h.sum());
}

const char* role_name(proxy::ListenerRole role) { return role == proxy::ListenerRole::primary ? "primary" : "replica"; }

constexpr const char* vrrp_states[] = {"initialize", "backup", "master", "fault"};

}  // namespace

std::string metrics_text(const MetricsFacts& facts) {
    prometheus::Registry registry;

    BuildGauge().Name("pgfront_uptime_seconds").Help("Seconds since pgfront started.").Register(registry).Add({}).Set(
        facts.uptime_seconds);

    if (facts.topology) {
        auto& up = BuildGauge().Name("pgfront_node_up").Help("1 when the node's Patroni REST API answers (fall/rise applied).").Register(registry);
        auto& role = BuildGauge().Name("pgfront_node_role").Help("1 for the role the node last reported.").Register(registry);
        auto& eligible = BuildGauge().Name("pgfront_node_eligible").Help("1 when routing sends new work of this kind to the node.").Register(registry);
        auto& drained = BuildGauge().Name("pgfront_node_drained").Help("1 when an operator drained the node.").Register(registry);
        auto& lag = BuildGauge().Name("pgfront_node_replication_lag_bytes").Help("Bytes the node is behind the primary, as Patroni reports.").Register(registry);
        auto& timeline = BuildGauge().Name("pgfront_node_timeline").Help("The node's PostgreSQL timeline.").Register(registry);
        auto& failures = BuildGauge().Name("pgfront_node_consecutive_check_failures").Help("Health checks failed in a row.").Register(registry);
        auto& failed_total = BuildCounter().Name("pgfront_node_health_check_failures_total").Help("Health checks that got no usable answer.").Register(registry);
        auto& check_seconds = BuildHistogram().Name("pgfront_node_health_check_duration_seconds").Help("Time a GET /patroni health check took.").Register(registry);
        for (const auto& node : facts.topology->nodes) {
            up.Add({{"node", node.name}}).Set(node.up ? 1 : 0);
            role.Add({{"node", node.name}, {"role", std::string(health::to_string(node.role))}}).Set(1);
            eligible.Add({{"node", node.name}, {"listener", "primary"}}).Set(node.eligible_primary ? 1 : 0);
            eligible.Add({{"node", node.name}, {"listener", "replica"}}).Set(node.eligible_replica ? 1 : 0);
            drained.Add({{"node", node.name}}).Set(node.drained ? 1 : 0);
            if (node.lag_bytes) lag.Add({{"node", node.name}}).Set(static_cast<double>(*node.lag_bytes));
            timeline.Add({{"node", node.name}}).Set(static_cast<double>(node.timeline));
            failures.Add({{"node", node.name}}).Set(node.consecutive_failures);
            failed_total.Add({{"node", node.name}}).Increment(static_cast<double>(node.checks_failed));
            add_histogram(check_seconds, {{"node", node.name}}, node.check_seconds);
        }
        BuildCounter().Name("pgfront_routing_changes_total").Help("Routing-relevant topology changes (role, eligibility, membership, drain) seen so far.")
            .Register(registry).Add({}).Increment(static_cast<double>(facts.topology->version));
        BuildGauge().Name("pgfront_topology_version").Help("Routing-relevant topology changes seen so far.")
            .Register(registry).Add({}).Set(static_cast<double>(facts.topology->version));
        BuildGauge().Name("pgfront_primary_known").Help("1 when there is a primary to route to.")
            .Register(registry).Add({}).Set(facts.topology->primary() ? 1 : 0);
    }

    const auto& c = facts.counters;
    auto& accepted = BuildCounter().Name("pgfront_client_connections_accepted_total").Help("Client connections accepted per listener.").Register(registry);
    accepted.Add({{"listener", "primary"}}).Increment(static_cast<double>(c.accepted_primary));
    accepted.Add({{"listener", "replica"}}).Increment(static_cast<double>(c.accepted_replica));
    auto& rejected = BuildCounter().Name("pgfront_client_connections_rejected_total").Help("Clients refused before their login completed (no node, limits, access rules, wrong password, bad startup), per listener.").Register(registry);
    rejected.Add({{"listener", "primary"}}).Increment(static_cast<double>(c.rejected_primary));
    rejected.Add({{"listener", "replica"}}).Increment(static_cast<double>(c.rejected_replica));
    auto& active = BuildGauge().Name("pgfront_client_connections_active").Help("Client connections open per listener.").Register(registry);
    active.Add({{"listener", "primary"}}).Set(static_cast<double>(c.active_primary));
    active.Add({{"listener", "replica"}}).Set(static_cast<double>(c.active_replica));
    BuildCounter().Name("pgfront_client_no_node_errors_total").Help("Clients refused because no eligible node came in time.")
        .Register(registry).Add({}).Increment(static_cast<double>(c.no_node_errors));
    BuildCounter().Name("pgfront_sessions_closed_by_role_change_total").Help("Sessions closed because their node lost the listener's role.")
        .Register(registry).Add({}).Increment(static_cast<double>(c.closed_by_role_change));
    BuildCounter().Name("pgfront_read_only_primary_refusals_total").Help("Servers refused on the primary port because they reported in_hot_standby=on.")
        .Register(registry).Add({}).Increment(static_cast<double>(c.read_only_refusals));
    BuildCounter().Name("pgfront_auth_failures_total").Help("Client logins refused for a wrong password or unknown user.")
        .Register(registry).Add({}).Increment(static_cast<double>(c.auth_failures));

    if (facts.proxy) {
        const auto& p = *facts.proxy;
        auto& clients = BuildGauge().Name("pgfront_pool_clients").Help("Clients per pool by state: active (holding a server) or waiting for one.").Register(registry);
        auto& servers = BuildGauge().Name("pgfront_pool_servers").Help("Server connections per pool by state.").Register(registry);
        auto& max_wait = BuildGauge().Name("pgfront_pool_max_wait_seconds").Help("How long the longest-waiting client of the pool has waited.").Register(registry);
        auto& transactions = BuildCounter().Name("pgfront_pool_transactions_total").Help("Transactions completed (ReadyForQuery back at idle).").Register(registry);
        auto& queries = BuildCounter().Name("pgfront_pool_queries_total").Help("Queries completed (every ReadyForQuery).").Register(registry);
        auto& received = BuildCounter().Name("pgfront_pool_bytes_received_total").Help("Bytes received from clients.").Register(registry);
        auto& sent = BuildCounter().Name("pgfront_pool_bytes_sent_total").Help("Bytes sent to clients.").Register(registry);
        auto& wait = BuildHistogram().Name("pgfront_pool_wait_seconds").Help("Time a client waited for a server connection.").Register(registry);
        auto& duration = BuildHistogram().Name("pgfront_pool_transaction_duration_seconds").Help("Transaction time, from its first message to its end.").Register(registry);
        for (const auto& pool : p.pools) {
            const prometheus::Labels labels{{"role", role_name(pool.role)}, {"node", pool.node},
                                            {"database", pool.database}, {"user", pool.user}};
            auto with = [&](const char* key, const char* value) {
                auto l = labels;
                l.emplace(key, value);
                return l;
            };
            clients.Add(with("state", "active")).Set(static_cast<double>(pool.clients_active));
            clients.Add(with("state", "waiting")).Set(static_cast<double>(pool.clients_waiting));
            servers.Add(with("state", "active")).Set(static_cast<double>(pool.servers_active));
            servers.Add(with("state", "idle")).Set(static_cast<double>(pool.servers_idle));
            servers.Add(with("state", "connecting")).Set(static_cast<double>(pool.servers_connecting));
            max_wait.Add(labels).Set(pool.max_wait_seconds);
            transactions.Add(labels).Increment(static_cast<double>(pool.stats.transactions));
            queries.Add(labels).Increment(static_cast<double>(pool.stats.queries));
            received.Add(labels).Increment(static_cast<double>(pool.stats.bytes_received));
            sent.Add(labels).Increment(static_cast<double>(pool.stats.bytes_sent));
            add_histogram(wait, labels, pool.stats.wait_seconds);
            add_histogram(duration, labels, pool.stats.transaction_seconds);
        }
        auto& by_state = BuildGauge().Name("pgfront_clients").Help("Client connections by listener and state.").Register(registry);
        std::map<std::pair<std::string, std::string>, double> counts;
        for (const auto* role : {"primary", "replica"})
            for (const auto* state : client_states) counts[{role, state}] = 0;
        for (const auto& c : p.clients) counts[{role_name(c.role), std::string(proxy::to_string(c.state))}] += 1;
        for (const auto& [key, count] : counts) by_state.Add({{"listener", key.first}, {"state", key.second}}).Set(count);
        BuildGauge().Name("pgfront_paused").Help("1 while PAUSE holds every database.").Register(registry).Add({}).Set(p.paused_all ? 1 : 0);
        auto& paused_db = BuildGauge().Name("pgfront_database_paused").Help("1 while PAUSE holds the database.").Register(registry);
        for (const auto& db : p.paused_databases) paused_db.Add({{"database", db}}).Set(1);
    }

    if (facts.vip) {
        const auto& v = *facts.vip;
        const prometheus::Labels id{{"vrid", std::to_string(v.vrid)}, {"interface", v.interface}};
        auto& state = BuildGauge().Name("pgfront_vrrp_state").Help("1 for the VRRP state the virtual router is in.").Register(registry);
        for (const auto* s : vrrp_states) {
            auto labels = id;
            labels.emplace("state", s);
            state.Add(labels).Set(v.state == s ? 1 : 0);
        }
        auto gauge = [&](const char* name, const char* help, double value) {
            BuildGauge().Name(name).Help(help).Register(registry).Add(id).Set(value);
        };
        auto counter = [&](const char* name, const char* help, double value) {
            BuildCounter().Name(name).Help(help).Register(registry).Add(id).Increment(value);
        };
        gauge("pgfront_vrrp_priority_configured", "The configured VRRP priority.", v.configured_priority);
        gauge("pgfront_vrrp_priority_effective", "The priority after health coupling.", v.effective_priority);
        gauge("pgfront_vrrp_holds_vip", "1 while the VIP is on the interface.", v.holds_vip ? 1 : 0);
        counter("pgfront_vrrp_transitions_total", "VRRP state transitions.", static_cast<double>(v.transitions));
        counter("pgfront_vrrp_adverts_sent_total", "VRRP adverts sent.", static_cast<double>(v.adverts_sent));
        counter("pgfront_vrrp_adverts_received_total", "Valid VRRP adverts received.", static_cast<double>(v.adverts_received));
        counter("pgfront_vrrp_gratuitous_arps_sent_total", "Gratuitous ARPs sent.", static_cast<double>(v.gratuitous_arps_sent));
        auto& dropped = BuildCounter().Name("pgfront_vrrp_adverts_dropped_total").Help("Adverts dropped, by reason.").Register(registry);
        for (const auto& [reason, count] : v.dropped) {
            auto labels = id;
            labels.emplace("reason", reason);
            dropped.Add(labels).Increment(static_cast<double>(count));
        }
    }

    return prometheus::TextSerializer().Serialize(registry.Collect());
}

}  // namespace pgfront::admin
