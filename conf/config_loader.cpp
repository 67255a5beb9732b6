// YAML → Config. Each section has a reader that knows its keys; anything it does not know
// is an error with its position, so a typo never silently falls back to a default.
#include "conf/config_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <limits>
#include <map>
#include <sstream>

#include "auth/hba_rules.hpp"
#include "conf/config_validation.hpp"
#include "conf/units.hpp"

namespace pgfront::conf {
namespace {

class Loader {
public:
    std::vector<ConfigError> errors;

    void error(const YAML::Node& at, std::string key, std::string message) {
        const auto mark = at.Mark();
        errors.push_back({std::move(key), mark.line + 1, mark.column + 1, std::move(message)});
    }

    void remember(const std::string& key, const YAML::Node& node) { marks_[key] = node.Mark(); }

    // Where a key was seen, so cross-field problems point at a line too.
    ConfigError locate(std::string key, std::string message) const {
        ConfigError e{key, 0, 0, std::move(message)};
        for (auto probe = key; !probe.empty();) {
            if (auto it = marks_.find(probe); it != marks_.end()) {
                e.line = it->second.line + 1;
                e.column = it->second.column + 1;
                break;
            }
            const auto cut = probe.find_last_of(".[");
            probe = cut == std::string::npos ? std::string{} : probe.substr(0, cut);
        }
        return e;
    }

    // YAML takes the last of two equal keys in a mapping, silently: a second `pool:` or a
    // database named twice would override the first without a word. Both are errors here.
    void report_duplicate_keys(const YAML::Node& node, const std::string& path) {
        if (node.IsSequence()) {
            for (std::size_t i = 0; i < node.size(); ++i)
                report_duplicate_keys(node[i], path + "[" + std::to_string(i) + "]");
            return;
        }
        if (!node.IsMap()) return;
        std::map<std::string, YAML::Mark> seen;
        for (const auto& entry : node) {
            const auto name = entry.first.as<std::string>("");
            const auto key = path.empty() ? name : path + "." + name;
            if (const auto [first, fresh] = seen.emplace(name, entry.first.Mark()); !fresh)
                error(entry.first, key, "duplicate key (first at line " + std::to_string(first->second.line + 1) + ")");
            report_duplicate_keys(entry.second, key);
        }
    }

    // Calls `read` for each known key present in a mapping and reports the unknown ones.
    using KeyReader = std::function<void(const YAML::Node& value, const std::string& key)>;
    void section(const YAML::Node& node, const std::string& path,
                 std::initializer_list<std::pair<const char*, KeyReader>> keys) {
        if (!node.IsMap()) {
            error(node, path, "expected a mapping of settings");
            return;
        }
        remember(path, node);
        for (const auto& entry : node) {
            const auto name = entry.first.as<std::string>("");
            const auto key = path.empty() ? name : path + "." + name;
            const KeyReader* reader = nullptr;
            for (const auto& [known, fn] : keys)
                if (name == known) reader = &fn;
            if (!reader) {
                std::string expected;
                for (const auto& [known, fn] : keys) expected += expected.empty() ? known : std::string(", ") + known;
                error(entry.first, key, "unknown key (expected one of: " + expected + ")");
                continue;
            }
            remember(key, entry.second);
            (*reader)(entry.second, key);
        }
    }

    bool scalar(const YAML::Node& v, const std::string& key, std::string& out) {
        if (!v.IsScalar()) {
            error(v, key, "expected a single value");
            return false;
        }
        out = v.Scalar();
        return true;
    }

    void string(const YAML::Node& v, const std::string& key, std::string& out) {
        std::string text;
        if (scalar(v, key, text)) out = text;
    }

    void duration(const YAML::Node& v, const std::string& key, Duration& out, Duration min = Duration{1}) {
        std::string text, why;
        if (!scalar(v, key, text)) return;
        auto d = parse_duration(text, why);
        if (!d) return error(v, key, why);
        if (*d < min) return error(v, key, "must be at least " + format_duration(min));
        out = *d;
    }

    void size(const YAML::Node& v, const std::string& key, std::uint64_t& out, std::uint64_t min = 0,
              std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) {
        std::string text, why;
        if (!scalar(v, key, text)) return;
        auto s = parse_size(text, why);
        if (!s) return error(v, key, why);
        if (*s < min || *s > max)
            return error(v, key, "must be between " + format_size(min) + " and " + format_size(max));
        out = *s;
    }

    void integer(const YAML::Node& v, const std::string& key, int& out, int min, int max) {
        std::string text;
        if (!scalar(v, key, text)) return;
        int value = 0;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc{} || ptr != text.data() + text.size())
            return error(v, key, "expected an integer, got '" + text + "'");
        if (value < min || value > max)
            return error(v, key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
        out = value;
    }

    void port(const YAML::Node& v, const std::string& key, std::uint16_t& out) {
        int value = out;
        const auto before = errors.size();
        integer(v, key, value, 1, 65535);
        if (errors.size() == before) out = static_cast<std::uint16_t>(value);
    }

    void boolean(const YAML::Node& v, const std::string& key, bool& out) {
        std::string text;
        if (!scalar(v, key, text)) return;
        if (text == "true" || text == "yes" || text == "on") out = true;
        else if (text == "false" || text == "no" || text == "off") out = false;
        else error(v, key, "expected true or false, got '" + text + "'");
    }

    // "HOST:PORT"; IPv6 as "[::1]:5000".
    void endpoint(const YAML::Node& v, const std::string& key, Endpoint& out) {
        std::string text;
        if (!scalar(v, key, text)) return;
        const auto colon = text.rfind(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
            return error(v, key, "expected HOST:PORT, got '" + text + "'");
        auto host = text.substr(0, colon);
        if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        int port_number = 0;
        const auto port_text = text.substr(colon + 1);
        auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port_number);
        if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || port_number < 1 || port_number > 65535)
            return error(v, key, "bad port in '" + text + "'");
        out = Endpoint{host, static_cast<std::uint16_t>(port_number)};
    }

private:
    std::map<std::string, YAML::Mark> marks_;
};

void read_node(Loader& l, const YAML::Node& node, const std::string& path, NodeSeed& seed) {
    bool has_name = false, has_host = false, has_api = false;
    l.section(node, path, {
        {"name", [&](auto& v, auto& k) { l.string(v, k, seed.name); has_name = true; }},
        {"host", [&](auto& v, auto& k) { l.string(v, k, seed.host); has_host = true; }},
        {"port", [&](auto& v, auto& k) { l.port(v, k, seed.port); }},
        {"api", [&](auto& v, auto& k) { l.string(v, k, seed.api); has_api = true; }},
    });
    if (!node.IsMap()) return;
    if (!has_name) l.error(node, path + ".name", "each node needs a name");
    if (!has_host) l.error(node, path + ".host", "each node needs a host");
    if (!has_api) l.error(node, path + ".api", "each node needs its Patroni REST URL (api)");
}

void read_cluster(Loader& l, const YAML::Node& node, const std::string& path, ClusterConfig& c) {
    l.section(node, path, {
        {"name", [&](auto& v, auto& k) { l.string(v, k, c.name); }},
        {"discover", [&](auto& v, auto& k) { l.boolean(v, k, c.discover); }},
        {"nodes", [&](auto& v, auto& k) {
             if (!v.IsSequence()) return l.error(v, k, "expected a list of nodes");
             c.nodes.clear();
             for (std::size_t i = 0; i < v.size(); ++i) {
                 NodeSeed seed;
                 read_node(l, v[i], k + "[" + std::to_string(i) + "]", seed);
                 c.nodes.push_back(std::move(seed));
             }
         }},
    });
}

void read_health(Loader& l, const YAML::Node& node, const std::string& path, HealthConfig& h) {
    l.section(node, path, {
        {"interval", [&](auto& v, auto& k) { l.duration(v, k, h.interval, Duration{10}); }},
        {"failover_interval", [&](auto& v, auto& k) { l.duration(v, k, h.failover_interval, Duration{10}); }},
        {"timeout", [&](auto& v, auto& k) { l.duration(v, k, h.timeout, Duration{10}); }},
        {"fall", [&](auto& v, auto& k) { l.integer(v, k, h.fall, 1, 100); }},
        {"rise", [&](auto& v, auto& k) { l.integer(v, k, h.rise, 1, 100); }},
        {"max_replica_lag", [&](auto& v, auto& k) { l.size(v, k, h.max_replica_lag); }},
        {"read_only_hold", [&](auto& v, auto& k) { l.duration(v, k, h.read_only_hold); }},
        {"discover_interval", [&](auto& v, auto& k) { l.duration(v, k, h.discover_interval, Duration{100}); }},
    });
}

void read_listen(Loader& l, const YAML::Node& node, const std::string& path, ListenConfig& c) {
    l.section(node, path, {
        {"primary", [&](auto& v, auto& k) { l.endpoint(v, k, c.primary); }},
        {"replica", [&](auto& v, auto& k) { l.endpoint(v, k, c.replica); }},
        {"connect_wait", [&](auto& v, auto& k) { l.duration(v, k, c.connect_wait, Duration{0}); }},
        {"server_connect_timeout", [&](auto& v, auto& k) { l.duration(v, k, c.server_connect_timeout); }},
        {"client_login_timeout", [&](auto& v, auto& k) { l.duration(v, k, c.client_login_timeout); }},
        {"shutdown_grace", [&](auto& v, auto& k) { l.duration(v, k, c.shutdown_grace, Duration{0}); }},
        {"replica_fallback_to_primary", [&](auto& v, auto& k) { l.boolean(v, k, c.replica_fallback_to_primary); }},
        {"backlog", [&](auto& v, auto& k) { l.integer(v, k, c.backlog, 1, 65535); }},
        {"workers", [&](auto& v, auto& k) { l.integer(v, k, c.workers, 1, 64); }},
        {"tcp_keepalive", [&](auto& v, auto& k) { l.boolean(v, k, c.tcp_keepalive); }},
    });
}

void read_user_names(Loader& l, const YAML::Node& v, const std::string& k, std::vector<std::string>& out) {
    if (!v.IsSequence()) return l.error(v, k, "expected a list of user names");
    out.clear();
    for (std::size_t i = 0; i < v.size(); ++i) {
        std::string user;
        const auto key = k + "[" + std::to_string(i) + "]";
        if (!l.scalar(v[i], key, user)) continue;
        if (user.empty()) l.error(v[i], key, "a user name must not be empty");
        else out.push_back(user);
    }
}

void read_admin(Loader& l, const YAML::Node& node, const std::string& path, AdminConfig& c) {
    l.section(node, path, {
        {"listen", [&](auto& v, auto& k) { l.endpoint(v, k, c.listen); }},
        {"token", [&](auto& v, auto& k) { l.string(v, k, c.token); }},
        {"admin_users", [&](auto& v, auto& k) { read_user_names(l, v, k, c.admin_users); }},
        {"stats_users", [&](auto& v, auto& k) { read_user_names(l, v, k, c.stats_users); }},
    });
}

// none | session | transaction | statement; `none` only for the global pool.mode.
void read_pool_mode(Loader& l, const YAML::Node& v, const std::string& k, PoolMode& out, bool allow_none) {
    std::string text;
    if (!l.scalar(v, k, text)) return;
    if (text == "none" && allow_none) out = PoolMode::none;
    else if (text == "session") out = PoolMode::session;
    else if (text == "transaction") out = PoolMode::transaction;
    else if (text == "statement") out = PoolMode::statement;
    else if (allow_none) l.error(v, k, "expected none, session, transaction or statement, got '" + text + "'");
    else l.error(v, k, "expected session, transaction or statement, got '" + text + "'");
}

void read_optional_int(Loader& l, const YAML::Node& v, const std::string& k, std::optional<int>& out, int min, int max) {
    int value = 0;
    const auto before = l.errors.size();
    l.integer(v, k, value, min, max);
    if (l.errors.size() == before) out = value;
}

// pool.databases / pool.users: NAME -> settings for that database or user.
void read_overrides(Loader& l, const YAML::Node& node, const std::string& path,
                    std::map<std::string, PoolOverride>& out, bool databases) {
    if (!node.IsMap()) return l.error(node, path, "expected a mapping of names to their settings");
    out.clear();
    for (const auto& entry : node) {
        const auto name = entry.first.as<std::string>("");
        const auto key = path + "." + name;
        auto& o = out[name];
        auto mode = [&](auto& v, auto& k) {
            PoolMode m = PoolMode::none;
            const auto before = l.errors.size();
            read_pool_mode(l, v, k, m, false);
            if (l.errors.size() == before) o.mode = m;
        };
        auto pool_size = [&](auto& v, auto& k) { read_optional_int(l, v, k, o.pool_size, 1, 10000); };
        auto max_connections = [&](auto& v, auto& k) { read_optional_int(l, v, k, o.max_connections, 0, 1000000); };
        if (databases)
            l.section(entry.second, key, {
                {"mode", mode},
                {"pool_size", pool_size},
                {"min_pool_size", [&](auto& v, auto& k) { read_optional_int(l, v, k, o.min_pool_size, 0, 10000); }},
                {"reserve_pool_size", [&](auto& v, auto& k) { read_optional_int(l, v, k, o.reserve_pool_size, 0, 10000); }},
                {"max_db_connections", max_connections},
            });
        else
            l.section(entry.second, key, {
                {"mode", mode},
                {"pool_size", pool_size},
                {"max_user_connections", max_connections},
            });
    }
}

void read_pool(Loader& l, const YAML::Node& node, const std::string& path, PoolConfig& c) {
    l.section(node, path, {
        {"mode", [&](auto& v, auto& k) { read_pool_mode(l, v, k, c.mode, true); }},
        {"default_pool_size", [&](auto& v, auto& k) { l.integer(v, k, c.default_pool_size, 1, 10000); }},
        {"min_pool_size", [&](auto& v, auto& k) { l.integer(v, k, c.min_pool_size, 0, 10000); }},
        {"reserve_pool_size", [&](auto& v, auto& k) { l.integer(v, k, c.reserve_pool_size, 0, 10000); }},
        {"reserve_pool_timeout", [&](auto& v, auto& k) { l.duration(v, k, c.reserve_pool_timeout, Duration{0}); }},
        {"max_client_conn", [&](auto& v, auto& k) { l.integer(v, k, c.max_client_conn, 1, 1000000); }},
        {"query_wait_timeout", [&](auto& v, auto& k) { l.duration(v, k, c.query_wait_timeout, Duration{0}); }},
        {"server_lifetime", [&](auto& v, auto& k) { l.duration(v, k, c.server_lifetime); }},
        {"server_idle_timeout", [&](auto& v, auto& k) { l.duration(v, k, c.server_idle_timeout); }},
        {"server_login_retry", [&](auto& v, auto& k) { l.duration(v, k, c.server_login_retry, Duration{0}); }},
        {"server_reset_query", [&](auto& v, auto& k) { l.string(v, k, c.server_reset_query); }},
        {"failover_hold", [&](auto& v, auto& k) { l.duration(v, k, c.failover_hold, Duration{0}); }},
        {"max_prepared_statements", [&](auto& v, auto& k) { l.integer(v, k, c.max_prepared_statements, 1, 100000); }},
        {"max_db_connections", [&](auto& v, auto& k) { l.integer(v, k, c.max_db_connections, 0, 1000000); }},
        {"max_user_connections", [&](auto& v, auto& k) { l.integer(v, k, c.max_user_connections, 0, 1000000); }},
        {"server_check_query", [&](auto& v, auto& k) { l.string(v, k, c.server_check_query); }},
        {"server_check_delay", [&](auto& v, auto& k) { l.duration(v, k, c.server_check_delay, Duration{0}); }},
        {"client_idle_timeout", [&](auto& v, auto& k) { l.duration(v, k, c.client_idle_timeout, Duration{0}); }},
        {"idle_transaction_timeout", [&](auto& v, auto& k) { l.duration(v, k, c.idle_transaction_timeout, Duration{0}); }},
        // PostgreSQL's own messages are at most 1 GB; below 1 kB even a login would not fit.
        {"max_packet_size", [&](auto& v, auto& k) { l.size(v, k, c.max_packet_size, 1024, std::uint64_t{1} << 30); }},
        {"databases", [&](auto& v, auto& k) { read_overrides(l, v, k, c.databases, true); }},
        {"users", [&](auto& v, auto& k) { read_overrides(l, v, k, c.users, false); }},
    });
}

// A database or user field of an HBA rule: pg_hba.conf's comma list, or a YAML list of items.
void read_hba_names(Loader& l, const YAML::Node& v, const std::string& k, std::string& out) {
    if (v.IsSequence()) {
        out.clear();
        for (std::size_t i = 0; i < v.size(); ++i) {
            std::string item;
            if (!l.scalar(v[i], k + "[" + std::to_string(i) + "]", item)) return;
            out += (out.empty() ? "" : ",") + item;
        }
        return;
    }
    l.string(v, k, out);
}

// One auth.hba rule; its fields are checked by the same parser that matches them.
void read_hba_rule(Loader& l, const YAML::Node& node, const std::string& path, HbaEntry& e) {
    std::map<std::string, YAML::Node> seen;
    auto field = [&](const char* name, std::string& out, bool names) {
        return std::pair<const char*, Loader::KeyReader>(name, [&, name, names](auto& v, auto& k) {
            seen[name] = v;
            if (names) read_hba_names(l, v, k, out);
            else l.string(v, k, out);
        });
    };
    l.section(node, path, {field("type", e.type, false), field("database", e.database, true),
                           field("user", e.user, true), field("address", e.address, false),
                           field("method", e.method, false)});
    if (!node.IsMap()) return;
    e.line = node.Mark().line + 1;
    bool complete = true;
    for (const char* required : {"database", "user", "address", "method"})
        if (!seen.count(required)) {
            l.error(node, path + "." + required, "each hba rule needs database, user, address and method");
            complete = false;
        }
    if (!complete) return;
    const auth::HbaRuleFields fields{e.type, e.database, e.user, e.address, e.method};
    if (auto rule = auth::parse_hba_rule(fields); !rule) {
        for (const auto& problem : rule.error()) {
            const std::string name(auth::to_string(problem.field));
            const auto at = seen.count(name) ? seen[name] : node;
            l.error(at, path + "." + name, problem.message);
        }
    }
}

void read_auth(Loader& l, const YAML::Node& node, const std::string& path, AuthConfig& c) {
    l.section(node, path, {
        {"type", [&](auto& v, auto& k) {
             std::string text;
             if (!l.scalar(v, k, text)) return;
             if (text == "scram-sha-256") c.type = AuthType::scram_sha_256;
             else if (text == "md5") c.type = AuthType::md5;
             else if (text == "trust") c.type = AuthType::trust;
             else l.error(v, k, "expected scram-sha-256, md5 or trust, got '" + text + "'");
         }},
        {"auth_file", [&](auto& v, auto& k) { l.string(v, k, c.auth_file); }},
        {"auth_user", [&](auto& v, auto& k) { l.string(v, k, c.auth_user); }},
        {"auth_query", [&](auto& v, auto& k) { l.string(v, k, c.auth_query); }},
        {"auth_dbname", [&](auto& v, auto& k) { l.string(v, k, c.auth_dbname); }},
        {"auth_cache_ttl", [&](auto& v, auto& k) { l.duration(v, k, c.auth_cache_ttl, Duration{0}); }},
        {"trust_users", [&](auto& v, auto& k) {
             if (!v.IsSequence()) return l.error(v, k, "expected a list of user names");
             c.trust_users.clear();
             for (std::size_t i = 0; i < v.size(); ++i) {
                 std::string user;
                 if (l.scalar(v[i], k + "[" + std::to_string(i) + "]", user)) c.trust_users.push_back(user);
             }
         }},
        {"hba", [&](auto& v, auto& k) {
             if (!v.IsSequence()) return l.error(v, k, "expected a list of rules {database, user, address, method}");
             c.hba.clear();
             for (std::size_t i = 0; i < v.size(); ++i) {
                 HbaEntry entry;
                 read_hba_rule(l, v[i], k + "[" + std::to_string(i) + "]", entry);
                 c.hba.push_back(std::move(entry));
             }
         }},
    });
}

// "fault" or a negative integer weight.
void read_track(Loader& l, const YAML::Node& v, const std::string& key, TrackWeight& out) {
    std::string text;
    if (!l.scalar(v, key, text)) return;
    if (text == "fault") {
        out = TrackWeight{true, 0};
        return;
    }
    int weight = 0;
    const auto before = l.errors.size();
    l.integer(v, key, weight, -254, 0);
    if (l.errors.size() != before) {
        l.errors.back().message = "expected 'fault' or a weight between -254 and 0, got '" + text + "'";
        return;
    }
    out = TrackWeight{false, weight};
}

void read_vip(Loader& l, const YAML::Node& node, const std::string& path, VipConfig& c) {
    c.enabled = true;
    l.section(node, path, {
        {"interface", [&](auto& v, auto& k) { l.string(v, k, c.interface); }},
        {"address", [&](auto& v, auto& k) {
             std::string text;
             if (!l.scalar(v, k, text)) return;
             const auto slash = text.find('/');
             c.address = text.substr(0, slash);
             if (slash == std::string::npos) return;
             int prefix = 0;
             const auto digits = text.substr(slash + 1);
             auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
             if (ec != std::errc{} || ptr != digits.data() + digits.size() || prefix < 1 || prefix > 32)
                 return l.error(v, k, "bad prefix length in '" + text + "' (expected ADDRESS/1..32)");
             c.prefix_length = prefix;
         }},
        {"vrid", [&](auto& v, auto& k) { l.integer(v, k, c.vrid, 1, 255); }},
        {"priority", [&](auto& v, auto& k) { l.integer(v, k, c.priority, 1, 255); }},
        {"version", [&](auto& v, auto& k) { l.integer(v, k, c.version, 2, 3); }},
        {"advert_interval", [&](auto& v, auto& k) { l.duration(v, k, c.advert_interval, Duration{10}); }},
        {"preempt", [&](auto& v, auto& k) { l.boolean(v, k, c.preempt); }},
        {"preempt_delay", [&](auto& v, auto& k) { l.duration(v, k, c.preempt_delay, Duration{0}); }},
        {"unicast_peers", [&](auto& v, auto& k) {
             if (!v.IsSequence()) return l.error(v, k, "expected a list of addresses");
             c.unicast_peers.clear();
             for (std::size_t i = 0; i < v.size(); ++i) {
                 std::string peer;
                 if (l.scalar(v[i], k + "[" + std::to_string(i) + "]", peer)) c.unicast_peers.push_back(peer);
             }
         }},
        {"unicast_src", [&](auto& v, auto& k) { l.string(v, k, c.unicast_src); }},
        {"auth_pass", [&](auto& v, auto& k) { l.string(v, k, c.auth_pass); }},
        {"checksum_pseudo_header", [&](auto& v, auto& k) { l.boolean(v, k, c.checksum_pseudo_header); }},
        {"garp_repeat", [&](auto& v, auto& k) { l.integer(v, k, c.garp_repeat, 0, 100); }},
        {"garp_delay", [&](auto& v, auto& k) { l.duration(v, k, c.garp_delay, Duration{0}); }},
        {"garp_refresh", [&](auto& v, auto& k) { l.duration(v, k, c.garp_refresh, Duration{0}); }},
        {"no_primary_after", [&](auto& v, auto& k) { l.duration(v, k, c.no_primary_after, Duration{0}); }},
        {"track_no_primary", [&](auto& v, auto& k) { read_track(l, v, k, c.track_no_primary); }},
        {"track_listeners_down", [&](auto& v, auto& k) { read_track(l, v, k, c.track_listeners_down); }},
        {"notify", [&](auto& v, auto& k) { l.string(v, k, c.notify); }},
    });
}

void read_log(Loader& l, const YAML::Node& node, const std::string& path, LogConfig& c) {
    l.section(node, path, {
        {"level", [&](auto& v, auto& k) {
             std::string text;
             if (!l.scalar(v, k, text)) return;
             for (const char* level : {"trace", "debug", "info", "warn", "error"})
                 if (text == level) {
                     c.level = text;
                     return;
                 }
             l.error(v, k, "expected trace, debug, info, warn or error, got '" + text + "'");
         }},
        {"file", [&](auto& v, auto& k) { l.string(v, k, c.file); }},
    });
}

// One leg of tls: (client or server). `client_leg`: a cert_file without a mode means prefer.
void read_tls_side(Loader& l, const YAML::Node& node, const std::string& path, TlsSideConfig& c, bool client_leg) {
    bool has_mode = false;
    l.section(node, path, {
        {"mode", [&](auto& v, auto& k) {
             std::string text;
             if (!l.scalar(v, k, text)) return;
             has_mode = true;
             if (auto mode = parse_tls_mode(text)) c.mode = *mode;
             else l.error(v, k, "expected disable, allow, prefer, require, verify-ca or verify-full, got '" + text + "'");
         }},
        {"cert_file", [&](auto& v, auto& k) { l.string(v, k, c.cert_file); }},
        {"key_file", [&](auto& v, auto& k) { l.string(v, k, c.key_file); }},
        {"ca_file", [&](auto& v, auto& k) { l.string(v, k, c.ca_file); }},
        {"ciphers", [&](auto& v, auto& k) { l.string(v, k, c.ciphers); }},
        {"protocols", [&](auto& v, auto& k) {
             std::string text;
             if (!l.scalar(v, k, text)) return;
             if (auto protocols = parse_tls_protocols(text)) c.protocols = *protocols;
             else l.error(v, k, "expected secure, all, or a list of tlsv1.0, tlsv1.1, tlsv1.2, tlsv1.3, got '" + text + "'");
         }},
    });
    if (client_leg && !has_mode && !c.cert_file.empty()) c.mode = TlsMode::prefer;
}

void read_tls(Loader& l, const YAML::Node& node, const std::string& path, TlsConfig& c) {
    l.section(node, path, {
        {"client", [&](auto& v, auto& k) { read_tls_side(l, v, k, c.client, true); }},
        {"server", [&](auto& v, auto& k) { read_tls_side(l, v, k, c.server, false); }},
    });
}

std::string fnv1a_hex(std::string_view text) {
    std::uint64_t hash = 1469598103934665603ULL;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ULL;
    }
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
    return out;
}

// Relative tls file names are found beside the config file too.
std::shared_ptr<const Config> resolve_tls_files(std::shared_ptr<const Config> config, const std::string& path) {
    const auto slash = path.rfind('/');
    const auto dir = slash == std::string::npos ? std::string(".") : path.substr(0, slash);
    auto resolved = std::make_shared<Config>(*config);
    for (auto* side : {&resolved->tls.client, &resolved->tls.server})
        for (auto* file : {&side->cert_file, &side->key_file, &side->ca_file})
            if (!file->empty() && file->front() != '/') *file = dir + "/" + *file;
    return resolved;
}

}  // namespace

std::string_view to_string(PoolMode mode) {
    switch (mode) {
        case PoolMode::none: return "none";
        case PoolMode::session: return "session";
        case PoolMode::transaction: return "transaction";
        case PoolMode::statement: return "statement";
    }
    return "?";
}

LoadResult load_config_text(std::string_view yaml_text) {
    LoadResult result;
    result.text_hash = fnv1a_hex(yaml_text);
    Loader l;
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml_text));
    } catch (const YAML::Exception& e) {
        result.errors.push_back({"", e.mark.line + 1, e.mark.column + 1, e.msg});
        return result;
    }
    auto config = std::make_shared<Config>();
    if (!root.IsMap()) {
        l.error(root, "", "the file must be a mapping with sections cluster, health, listen, ...");
        result.errors = std::move(l.errors);
        return result;
    }
    l.report_duplicate_keys(root, "");
    bool has_cluster = false;
    l.section(root, "", {
        {"cluster", [&](auto& v, auto& k) { read_cluster(l, v, k, config->cluster); has_cluster = true; }},
        {"health", [&](auto& v, auto& k) { read_health(l, v, k, config->health); }},
        {"listen", [&](auto& v, auto& k) { read_listen(l, v, k, config->listen); }},
        {"admin", [&](auto& v, auto& k) { read_admin(l, v, k, config->admin); }},
        {"pool", [&](auto& v, auto& k) { read_pool(l, v, k, config->pool); }},
        {"auth", [&](auto& v, auto& k) { read_auth(l, v, k, config->auth); }},
        {"vip", [&](auto& v, auto& k) { read_vip(l, v, k, config->vip); }},
        {"log", [&](auto& v, auto& k) { read_log(l, v, k, config->log); }},
        {"tls", [&](auto& v, auto& k) { read_tls(l, v, k, config->tls); }},
    });
    if (!has_cluster) l.error(root, "cluster", "the cluster section (name and nodes) is required");
    if (l.errors.empty())
        for (auto& p : validate(*config)) l.errors.push_back(l.locate(p.key, p.message));
    if (!l.errors.empty()) {
        result.errors = std::move(l.errors);
        return result;
    }
    result.config = std::move(config);
    return result;
}

LoadResult load_config_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        LoadResult result;
        result.errors.push_back({"", 0, 0, "cannot read config file '" + path + "'"});
        return result;
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto result = load_config_text(text.str());
    // A relative auth_file is found beside the config file, wherever pgfront was started.
    if (result.ok() && !result.config->auth.auth_file.empty() && result.config->auth.auth_file.front() != '/') {
        auto resolved = std::make_shared<Config>(*result.config);
        const auto slash = path.rfind('/');
        resolved->auth.auth_file = (slash == std::string::npos ? std::string(".") : path.substr(0, slash)) + "/" +
                                   resolved->auth.auth_file;
        result.config = std::move(resolved);
    }
    if (result.ok()) result.config = resolve_tls_files(std::move(result.config), path);
    return result;
}

std::string describe(const ConfigError& error, std::string_view source) {
    std::string out(source);
    if (error.line > 0) {
        out.append(":").append(std::to_string(error.line));
        out.append(":").append(std::to_string(error.column));
    }
    out += ": ";
    if (!error.key.empty()) out += error.key + ": ";
    out += error.message;
    return out;
}

}  // namespace pgfront::conf
