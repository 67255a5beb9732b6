// Text renderings of the admin API's views (see proxyctl_views.hpp).
#include "app/proxyctl_views.hpp"

#include <boost/json.hpp>

#include "app/proxyctl_table.hpp"

namespace pgfront::proxyctl {
namespace json = boost::json;

namespace {

std::string text_of(const json::value& v) {
    if (v.is_string()) return std::string(v.as_string());
    if (v.is_null()) return "-";
    if (v.is_bool()) return v.as_bool() ? "yes" : "no";
    return json::serialize(v);
}

std::string field(const json::object& o, const char* key) { return text_of(o.at(key)); }

double number(const json::object& o, const char* key) {
    const auto& v = o.at(key);
    return v.is_null() ? 0 : v.to_number<double>();
}

std::uint64_t count(const json::object& o, const char* key) {
    const auto& v = o.at(key);
    return v.is_null() ? 0 : v.to_number<std::uint64_t>();
}

bool flag(const json::object& o, const char* key) { return o.at(key).as_bool(); }

std::string joined(const json::array& items, const char* empty) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : ", ") + text_of(item);
    return text.empty() ? empty : text;
}

std::string plural(std::uint64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string status_text(const json::value& status) {
    const auto& o = status.as_object();
    const auto& listen = o.at("listen").as_object();
    const auto& s = o.at("sessions").as_object();
    std::string text;
    text += "pgfront " + field(o, "version") + " (" + field(o, "event_loop") + "), up " +
            human_seconds(number(o, "uptime_seconds")) + "\n";
    text += "cluster:   " + field(o, "cluster") + "\n";
    text += "config:    " + field(o, "config_file") + " (hash " + field(o, "config_hash") + ")\n";
    text += "mode:      " + field(o, "pool_mode") + "\n";
    text += "primary:   " + field(o, "primary") + "  (listening on " + field(listen, "primary") + ")\n";
    text += "replicas:  " + joined(o.at("replicas").as_array(), "none") + "  (listening on " +
            field(listen, "replica") + ")\n";
    text += "sessions:  " + field(s, "active_primary") + " on primary port, " + field(s, "active_replica") +
            " on replica port; refused (no node) " + field(s, "refused_no_node") + ", closed by role change " +
            field(s, "closed_by_role_change") + "\n";
    std::string paused = "unknown (the proxy did not answer)";
    if (const auto* p = o.if_contains("paused"); p && p->is_object()) {
        const auto& po = p->as_object();
        if (flag(po, "all")) paused = "everything";
        else paused = joined(po.at("databases").as_array(), "no");
    }
    text += "paused:    " + paused + "\n";
    return text;
}

std::string nodes_text(const json::value& nodes) {
    std::vector<Row> rows;
    for (const auto& n : nodes.at("nodes").as_array()) {
        const auto& o = n.as_object();
        std::string serves = "-";
        if (flag(o, "eligible_primary")) serves = "primary";
        else if (flag(o, "eligible_replica")) serves = "replica";
        const auto clients = o.at("clients");
        const std::string servers = o.at("servers_active").is_null()
                                        ? "-"
                                        : field(o, "servers_active") + "/" + field(o, "servers_idle");
        rows.push_back({field(o, "name"), field(o, "host") + ":" + field(o, "port"), field(o, "role"),
                        field(o, "state"), flag(o, "up") ? "up" : "down", serves, field(o, "lag_bytes"),
                        field(o, "timeline"), flag(o, "drained") ? "drained" : "", text_of(clients), servers,
                        field(o, "last_error")});
    }
    return render_table({"NODE", "ADDRESS", "ROLE", "STATE", "HEALTH", "SERVES", "LAG", "TL", "DRAIN", "CLIENTS",
                         "SERVERS(ACT/IDLE)", "LAST ERROR"},
                        rows);
}

std::string pools_text(const json::value& pools) {
    std::vector<Row> rows;
    for (const auto& p : pools.at("pools").as_array()) {
        const auto& o = p.as_object();
        rows.push_back({field(o, "role"), field(o, "node"), field(o, "database"), field(o, "user"), field(o, "mode"),
                        field(o, "clients_active"), field(o, "clients_waiting"), field(o, "servers_active"),
                        field(o, "servers_idle"), field(o, "servers_connecting"),
                        human_seconds(number(o, "max_wait_seconds")), field(o, "transactions"), field(o, "queries"),
                        human_bytes(count(o, "bytes_received")), human_bytes(count(o, "bytes_sent")),
                        flag(o, "draining") ? "draining" : ""});
    }
    return render_table({"ROLE", "NODE", "DATABASE", "USER", "MODE", "CL_ACTIVE", "CL_WAITING", "SV_ACTIVE",
                         "SV_IDLE", "SV_CONNECTING", "MAXWAIT", "XACTS", "QUERIES", "RECEIVED", "SENT", "DRAIN"},
                        rows);
}

std::string clients_text(const json::value& clients, const std::string& only_node) {
    std::vector<Row> rows;
    for (const auto& c : clients.at("clients").as_array()) {
        const auto& o = c.as_object();
        if (!only_node.empty() && field(o, "node") != only_node) continue;
        const auto node = field(o, "node");
        rows.push_back({field(o, "id"), field(o, "role"), field(o, "address"), field(o, "database"),
                        field(o, "user"), field(o, "application_name"), field(o, "state"),
                        node.empty() ? "-" : node, human_seconds(number(o, "connected_seconds")),
                        human_seconds(number(o, "state_seconds")), flag(o, "tls") ? "tls" : ""});
    }
    return render_table({"ID", "ROLE", "ADDRESS", "DATABASE", "USER", "APPLICATION", "STATE", "NODE", "CONNECTED",
                         "IN STATE", "TLS"},
                        rows);
}

std::string servers_text(const json::value& servers, const std::string& only_node) {
    std::vector<Row> rows;
    for (const auto& s : servers.at("servers").as_array()) {
        const auto& o = s.as_object();
        if (!only_node.empty() && field(o, "node") != only_node) continue;
        const auto client = count(o, "client_id");
        rows.push_back({field(o, "id"), field(o, "role"), field(o, "node"), field(o, "address"),
                        field(o, "database"), field(o, "user"), field(o, "state"),
                        client ? std::to_string(client) : "-", human_seconds(number(o, "connected_seconds")),
                        flag(o, "tls") ? "tls" : ""});
    }
    return render_table({"ID", "ROLE", "NODE", "ADDRESS", "DATABASE", "USER", "STATE", "CLIENT", "CONNECTED", "TLS"},
                        rows);
}

std::string vip_text(const json::value& vip) {
    const auto& o = vip.as_object();
    if (!flag(o, "enabled")) return "VIP: not configured (no vip: section)\n";
    std::string text;
    text += "VIP:        " + field(o, "address") + " on " + field(o, "interface") + " (VRID " + field(o, "vrid") +
            ", VRRPv" + field(o, "version") + ", advert every " + field(o, "advert_interval_ms") + " ms)\n";
    text += "state:      " + field(o, "state") + (flag(o, "holds_vip") ? ", holds the address" : ", does not hold it") +
            "\n";
    text += "priority:   " + field(o, "effective_priority") + " (configured " + field(o, "configured_priority") +
            (flag(o, "preempt") ? ", preempt" : ", no preempt") + ")\n";
    text += "failing:    " + joined(o.at("failed_conditions").as_array(), "nothing") + "\n";
    text += "master:     " + field(o, "master_address") + " (priority " + field(o, "master_priority") + ")\n";
    text += "last change: " + field(o, "last_transition") + " (" + field(o, "last_transition_reason") + "), " +
            field(o, "transitions") + " transitions\n";
    text += "adverts:    sent " + field(o, "adverts_sent") + ", received " + field(o, "adverts_received") +
            ", discarded " + field(o, "adverts_discarded") + "; gratuitous ARPs " + field(o, "gratuitous_arps_sent") +
            "; send errors " + field(o, "send_errors") + "\n";
    return text;
}

std::string node_usage_text(const json::value& node) {
    const auto& o = node.as_object();
    if (o.at("clients").is_null() || o.at("servers_active").is_null()) return "unknown (the proxy did not answer)";
    return plural(count(o, "clients"), "client", "clients") + ", " + std::to_string(count(o, "servers_active")) +
           " active and " + std::to_string(count(o, "servers_idle")) + " idle server connections";
}

bool node_unused(const json::value& node) {
    const auto& o = node.as_object();
    for (const char* key : {"clients", "servers_active", "servers_idle"}) {
        const auto& v = o.at(key);
        if (v.is_null() || v.to_number<std::uint64_t>() != 0) return false;
    }
    return true;
}

}  // namespace pgfront::proxyctl
