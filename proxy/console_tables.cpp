// See console_tables.hpp. PgBouncer's pools are per (database, user); pgfront's are per
// (listener role, node, database, user), so the console adds pgfront's pools of a database
// and user together. Figures pgfront does not keep (cancel requests in flight, query time
// apart from transaction time, "used"/"tested" server states) are reported as 0.
#include "proxy/console_tables.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <tuple>

#include "pool/effective_settings.hpp"
#include "protocol/message_writer.hpp"
#include "protocol/simple_query.hpp"
#include "protocol/value_list.hpp"
#include "proxy/admin_console.hpp"

namespace pgfront::proxy {
namespace {

constexpr std::uint32_t text = 25;
constexpr std::uint32_t int4 = 23;
constexpr std::uint32_t numeric = 1700;

using Row = std::vector<std::optional<std::string>>;

std::string number(std::uint64_t n) { return std::to_string(n); }
std::string whole(double d) { return std::to_string(static_cast<std::uint64_t>(std::max(0.0, d))); }
std::string micros(double seconds) { return whole(seconds * 1e6); }

std::string timestamp(std::chrono::system_clock::time_point at) {
    const auto t = std::chrono::system_clock::to_time_t(at);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buffer;
}

// "ip:port" (or "[v6]:port") → {ip, port}.
std::pair<std::string, std::string> split_address(const std::string& address) {
    const auto colon = address.rfind(':');
    if (colon == std::string::npos) return {address, "0"};
    auto host = address.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return {host, address.substr(colon + 1)};
}

std::string pointer_text(char kind, std::uint64_t id) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "0x%c%015llx", kind == 'C' ? 'c' : '5', static_cast<unsigned long long>(id));
    return buffer;
}

std::string mode_name(conf::PoolMode mode) {
    return mode == conf::PoolMode::none ? "session" : std::string(conf::to_string(mode));
}

const conf::Endpoint& listener_of(const conf::Config& config, ListenerRole role) {
    return role == ListenerRole::primary ? config.listen.primary : config.listen.replica;
}

ConsoleTable show_pools(const ConsoleFacts& f) {
    ConsoleTable t;
    for (const char* name : {"database", "user"}) t.columns.push_back({name, text});
    for (const char* name : {"cl_active", "cl_waiting", "cl_active_cancel_req", "cl_waiting_cancel_req", "sv_active",
                             "sv_active_cancel", "sv_being_canceled", "sv_idle", "sv_used", "sv_tested", "sv_login",
                             "maxwait", "maxwait_us"})
        t.columns.push_back({name, int4});
    t.columns.push_back({"pool_mode", text});
    struct Sum {
        std::uint64_t cl_active = 0, cl_waiting = 0, sv_active = 0, sv_idle = 0, sv_login = 0;
        double maxwait = 0;
        std::string mode;
    };
    std::map<std::pair<std::string, std::string>, Sum> sums;
    for (const auto& p : f.proxy.pools) {
        auto& s = sums[{p.database, p.user}];
        s.sv_active += p.servers_active;
        s.sv_idle += p.servers_idle;
        s.sv_login += p.servers_connecting;
        s.maxwait = std::max(s.maxwait, p.max_wait_seconds);
        s.mode = mode_name(p.mode);
    }
    for (const auto& c : f.proxy.clients) {
        if (c.state == ClientState::login || c.database.empty()) continue;
        auto& s = sums[{c.database, c.user}];
        if (c.state == ClientState::waiting || c.state == ClientState::paused) {
            ++s.cl_waiting;
            s.maxwait = std::max(s.maxwait, c.state_seconds);
        } else {
            ++s.cl_active;
        }
        if (s.mode.empty()) {
            s.mode = f.config.pool.mode == conf::PoolMode::none
                         ? "session"
                         : mode_name(pool::effective_settings(f.config.pool, c.database, c.user).mode);
        }
    }
    for (const auto& [key, s] : sums) {
        const auto wait_seconds = static_cast<std::uint64_t>(s.maxwait);
        const auto wait_us = static_cast<std::uint64_t>((s.maxwait - static_cast<double>(wait_seconds)) * 1e6);
        t.rows.push_back(Row{key.first, key.second, number(s.cl_active), number(s.cl_waiting), "0", "0",
                             number(s.sv_active), "0", "0", number(s.sv_idle), "0", "0", number(s.sv_login),
                             number(wait_seconds), number(wait_us), s.mode});
    }
    return t;
}

ConsoleTable show_stats(const ConsoleFacts& f) {
    ConsoleTable t;
    t.columns.push_back({"database", text});
    for (const char* name : {"total_xact_count", "total_query_count", "total_received", "total_sent", "total_xact_time",
                             "total_query_time", "total_wait_time", "avg_xact_count", "avg_query_count", "avg_recv",
                             "avg_sent", "avg_xact_time", "avg_query_time", "avg_wait_time"})
        t.columns.push_back({name, numeric});
    std::map<std::string, pool::PoolStats> by_database;
    for (const auto& p : f.proxy.pools) by_database[p.database].merge(p.stats);
    // PgBouncer averages over its last stats period; pgfront over its whole run.
    const double uptime = std::max(1.0, f.proxy.uptime_seconds);
    for (const auto& [database, s] : by_database) {
        const double xact_time = s.transaction_seconds.sum();
        const double wait_time = s.wait_seconds.sum();
        const auto per_xact = [&](double seconds) {
            return s.transactions ? micros(seconds / static_cast<double>(s.transactions)) : std::string("0");
        };
        t.rows.push_back(Row{database, number(s.transactions), number(s.queries), number(s.bytes_received),
                             number(s.bytes_sent), micros(xact_time), micros(xact_time), micros(wait_time),
                             whole(static_cast<double>(s.transactions) / uptime),
                             whole(static_cast<double>(s.queries) / uptime),
                             whole(static_cast<double>(s.bytes_received) / uptime),
                             whole(static_cast<double>(s.bytes_sent) / uptime), per_xact(xact_time), per_xact(xact_time),
                             s.wait_seconds.count() ? micros(wait_time / static_cast<double>(s.wait_seconds.count()))
                                                    : std::string("0")});
    }
    return t;
}

void client_server_columns(ConsoleTable& t) {
    const std::pair<const char*, std::uint32_t> columns[] = {
        {"type", text},          {"user", text},      {"database", text},     {"state", text},
        {"addr", text},          {"port", int4},      {"local_addr", text},   {"local_port", int4},
        {"connect_time", text},  {"request_time", text}, {"wait", int4},      {"wait_us", int4},
        {"close_needed", int4},  {"ptr", text},       {"link", text},         {"remote_pid", int4},
        {"tls", text},           {"application_name", text}};
    for (const auto& [name, oid] : columns) t.columns.push_back({name, oid});
}

ConsoleTable show_clients(const ConsoleFacts& f) {
    ConsoleTable t;
    client_server_columns(t);
    for (const auto& c : f.proxy.clients) {
        const auto [addr, port] = split_address(c.address);
        const auto& local = listener_of(f.config, c.role);
        const bool waiting = c.state == ClientState::waiting || c.state == ClientState::paused;
        const auto connected = f.now - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                           std::chrono::duration<double>(c.connected_seconds));
        const auto since = f.now - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                       std::chrono::duration<double>(c.state_seconds));
        const double wait = waiting ? c.state_seconds : 0;
        t.rows.push_back(Row{"C", c.user, c.database, waiting ? "waiting" : "active", addr, port, local.host,
                             std::to_string(local.port), timestamp(connected), timestamp(since),
                             whole(wait), number(static_cast<std::uint64_t>((wait - static_cast<double>(static_cast<std::uint64_t>(wait))) * 1e6)),
                             "0", pointer_text('C', c.id), c.server_id ? pointer_text('S', c.server_id) : "", "0",
                             c.tls ? "TLSv1.3" : "", c.application_name});
    }
    return t;
}

ConsoleTable show_servers(const ConsoleFacts& f) {
    ConsoleTable t;
    client_server_columns(t);
    for (const auto& s : f.proxy.servers) {
        const auto [addr, port] = split_address(s.address);
        const auto connected = f.now - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                           std::chrono::duration<double>(s.connected_seconds));
        std::string application_name;
        for (const auto& c : f.proxy.clients)
            if (c.id == s.client_id) application_name = c.application_name;
        t.rows.push_back(Row{"S", s.user, s.database, s.active ? "active" : "idle", addr, port, "", "0",
                             timestamp(connected), timestamp(connected), "0", "0", "0", pointer_text('S', s.id),
                             s.client_id ? pointer_text('C', s.client_id) : "", std::to_string(s.id),
                             s.tls ? "TLSv1.3" : "", application_name});
    }
    return t;
}

ConsoleTable show_databases(const ConsoleFacts& f) {
    ConsoleTable t;
    const std::pair<const char*, std::uint32_t> columns[] = {
        {"name", text},        {"host", text},         {"port", int4},          {"database", text},
        {"force_user", text},  {"pool_size", int4},    {"min_pool_size", int4}, {"reserve_pool", int4},
        {"pool_mode", text},   {"max_connections", int4}, {"current_connections", int4}, {"paused", int4},
        {"disabled", int4}};
    for (const auto& [name, oid] : columns) t.columns.push_back({name, oid});
    std::set<std::string> databases;
    for (const auto& [name, override_] : f.config.pool.databases) databases.insert(name);
    for (const auto& p : f.proxy.pools) databases.insert(p.database);
    for (const auto& c : f.proxy.clients)
        if (!c.database.empty()) databases.insert(c.database);
    const auto* primary = f.topology ? f.topology->primary() : nullptr;
    for (const auto& database : databases) {
        if (is_console_database(database)) {
            // PgBouncer's own row for its console: no server behind it.
            t.rows.push_back(Row{database, std::nullopt, std::to_string(f.config.listen.primary.port), database,
                                 "pgbouncer", "2", "0", "0", "statement", "0", "0", "0", "0"});
            continue;
        }
        const auto settings = pool::effective_settings(f.config.pool, database, "");
        std::uint64_t servers = 0;
        for (const auto& s : f.proxy.servers) servers += s.database == database;
        const bool paused = f.proxy.paused_all || std::find(f.proxy.paused_databases.begin(),
                                                             f.proxy.paused_databases.end(),
                                                             database) != f.proxy.paused_databases.end();
        t.rows.push_back(Row{database, primary ? std::optional<std::string>(primary->host) : std::nullopt,
                             primary ? std::to_string(primary->port) : "0", database, std::nullopt,
                             std::to_string(settings.pool.default_pool_size), std::to_string(settings.pool.min_pool_size),
                             std::to_string(settings.pool.reserve_pool_size),
                             f.config.pool.mode == conf::PoolMode::none ? std::optional<std::string>()
                                                                        : mode_name(settings.mode),
                             std::to_string(settings.max_db_connections), number(servers), paused ? "1" : "0", "0"});
    }
    return t;
}

std::string seconds_text(std::chrono::milliseconds d) {
    if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f", static_cast<double>(d.count()) / 1000.0);
    return buffer;
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
    return out;
}

ConsoleTable show_config(const ConsoleFacts& f) {
    ConsoleTable t;
    for (const char* name : {"key", "value", "default", "changeable"}) t.columns.push_back({name, text});
    const conf::Config defaults;
    const auto& c = f.config;
    const auto auth_type = [](conf::AuthType type) {
        return type == conf::AuthType::md5 ? "md5" : type == conf::AuthType::trust ? "trust" : "scram-sha-256";
    };
    struct Entry {
        const char* key;
        std::string value;
        std::string fallback;
        bool changeable;
    };
    const Entry entries[] = {
        {"admin_users", joined(c.admin.admin_users), joined(defaults.admin.admin_users), true},
        {"auth_dbname", c.auth.auth_dbname, defaults.auth.auth_dbname, true},
        {"auth_file", c.auth.auth_file, defaults.auth.auth_file, true},
        {"auth_query", c.auth.auth_query, defaults.auth.auth_query, true},
        {"auth_type", auth_type(c.auth.type), auth_type(defaults.auth.type), true},
        {"auth_user", c.auth.auth_user, defaults.auth.auth_user, true},
        {"client_idle_timeout", seconds_text(c.pool.client_idle_timeout), seconds_text(defaults.pool.client_idle_timeout), true},
        {"client_login_timeout", seconds_text(c.listen.client_login_timeout), seconds_text(defaults.listen.client_login_timeout), true},
        {"default_pool_size", std::to_string(c.pool.default_pool_size), std::to_string(defaults.pool.default_pool_size), true},
        {"idle_transaction_timeout", seconds_text(c.pool.idle_transaction_timeout), seconds_text(defaults.pool.idle_transaction_timeout), true},
        {"listen_addr", c.listen.primary.host, defaults.listen.primary.host, false},
        {"listen_port", std::to_string(c.listen.primary.port), std::to_string(defaults.listen.primary.port), false},
        {"logfile", c.log.file, defaults.log.file, false},
        {"max_client_conn", std::to_string(c.pool.max_client_conn), std::to_string(defaults.pool.max_client_conn), true},
        {"max_db_connections", std::to_string(c.pool.max_db_connections), std::to_string(defaults.pool.max_db_connections), true},
        {"max_packet_size", std::to_string(c.pool.max_packet_size), std::to_string(defaults.pool.max_packet_size), true},
        {"max_prepared_statements", std::to_string(c.pool.max_prepared_statements), std::to_string(defaults.pool.max_prepared_statements), true},
        {"max_user_connections", std::to_string(c.pool.max_user_connections), std::to_string(defaults.pool.max_user_connections), true},
        {"min_pool_size", std::to_string(c.pool.min_pool_size), std::to_string(defaults.pool.min_pool_size), true},
        {"pool_mode", std::string(conf::to_string(c.pool.mode)), std::string(conf::to_string(defaults.pool.mode)), false},
        {"query_wait_timeout", seconds_text(c.pool.query_wait_timeout), seconds_text(defaults.pool.query_wait_timeout), true},
        {"reserve_pool_size", std::to_string(c.pool.reserve_pool_size), std::to_string(defaults.pool.reserve_pool_size), true},
        {"reserve_pool_timeout", seconds_text(c.pool.reserve_pool_timeout), seconds_text(defaults.pool.reserve_pool_timeout), true},
        {"server_check_delay", seconds_text(c.pool.server_check_delay), seconds_text(defaults.pool.server_check_delay), true},
        {"server_check_query", c.pool.server_check_query, defaults.pool.server_check_query, true},
        {"server_connect_timeout", seconds_text(c.listen.server_connect_timeout), seconds_text(defaults.listen.server_connect_timeout), true},
        {"server_idle_timeout", seconds_text(c.pool.server_idle_timeout), seconds_text(defaults.pool.server_idle_timeout), true},
        {"server_lifetime", seconds_text(c.pool.server_lifetime), seconds_text(defaults.pool.server_lifetime), true},
        {"server_login_retry", seconds_text(c.pool.server_login_retry), seconds_text(defaults.pool.server_login_retry), true},
        {"server_reset_query", c.pool.server_reset_query, defaults.pool.server_reset_query, true},
        {"stats_users", joined(c.admin.stats_users), joined(defaults.admin.stats_users), true},
    };
    for (const auto& e : entries) t.rows.push_back(Row{e.key, e.value, e.fallback, e.changeable ? "yes" : "no"});
    return t;
}

ConsoleTable show_lists(const ConsoleFacts& f) {
    ConsoleTable t;
    t.columns = {{"list", text}, {"items", int4}};
    std::set<std::string> databases, users;
    std::set<std::tuple<std::string, std::string>> pools;
    for (const auto& p : f.proxy.pools) {
        databases.insert(p.database);
        users.insert(p.user);
        pools.insert({p.database, p.user});
    }
    std::uint64_t used_clients = 0, login_clients = 0, used_servers = 0, free_servers = 0;
    for (const auto& c : f.proxy.clients) (c.state == ClientState::login ? login_clients : used_clients) += 1;
    for (const auto& s : f.proxy.servers) (s.active ? used_servers : free_servers) += 1;
    const std::pair<const char*, std::uint64_t> items[] = {
        {"databases", databases.size()}, {"users", users.size()},       {"peers", 0},
        {"pools", pools.size()},         {"peer_pools", 0},             {"free_clients", 0},
        {"used_clients", used_clients},  {"login_clients", login_clients}, {"free_servers", free_servers},
        {"used_servers", used_servers},  {"dns_names", 0},              {"dns_zones", 0},
        {"dns_queries", 0},              {"dns_pending", 0}};
    for (const auto& [name, count] : items) t.rows.push_back(Row{name, number(count)});
    return t;
}

ConsoleTable show_users(const ConsoleFacts& f) {
    ConsoleTable t;
    t.columns = {{"name", text}, {"pool_mode", text}};
    std::set<std::string> users;
    for (const auto& p : f.proxy.pools) users.insert(p.user);
    for (const auto& [name, o] : f.config.pool.users) users.insert(name);
    for (const auto& user : users) {
        const auto it = f.config.pool.users.find(user);
        std::optional<std::string> mode;
        if (it != f.config.pool.users.end() && it->second.mode) mode = mode_name(*it->second.mode);
        t.rows.push_back(Row{user, mode});
    }
    return t;
}

}  // namespace

std::optional<ConsoleTable> console_show(const std::string& subject, const ConsoleFacts& facts) {
    if (subject == "POOLS") return show_pools(facts);
    if (subject == "STATS" || subject == "STATS_TOTALS") return show_stats(facts);
    if (subject == "CLIENTS") return show_clients(facts);
    if (subject == "SERVERS") return show_servers(facts);
    if (subject == "DATABASES") return show_databases(facts);
    if (subject == "CONFIG") return show_config(facts);
    if (subject == "LISTS") return show_lists(facts);
    if (subject == "USERS") return show_users(facts);
    if (subject == "VERSION") {
        ConsoleTable t;
        t.columns = {{"version", text}};
        t.rows.push_back(Row{"PgBouncer 1.18.0 compatible (pgfront " + facts.version + ")"});
        return t;
    }
    return std::nullopt;
}

void write_console_table(protocol::ByteBuffer& out, const ConsoleTable& table) {
    std::vector<protocol::ColumnDescription> columns;
    columns.reserve(table.columns.size());
    for (const auto& c : table.columns) {
        protocol::ColumnDescription d;
        d.name = c.name;
        d.type_oid = c.type_oid;
        d.type_size = c.type_oid == int4 ? std::int16_t{4} : std::int16_t{-1};
        d.type_modifier = -1;
        columns.push_back(d);
    }
    protocol::write_row_description(out, columns);
    std::vector<protocol::WireValue> values;
    for (const auto& row : table.rows) {
        values.clear();
        for (const auto& cell : row) values.push_back(cell ? protocol::WireValue::text(*cell) : protocol::WireValue::null());
        protocol::write_data_row(out, values);
    }
    protocol::write_command_complete(out, "SHOW");
}

}  // namespace pgfront::proxy
