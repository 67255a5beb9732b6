// Cross-field rules for a Config (see config_validation.hpp).
#include "conf/config_validation.hpp"

#include <set>

#include "conf/tls_validation.hpp"

namespace pgfront::conf {

bool is_loopback_host(const std::string& host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

namespace {

bool is_ipv4(const std::string& text) {
    int parts = 0;
    std::size_t i = 0;
    while (i <= text.size()) {
        std::size_t j = i;
        int value = 0;
        while (j < text.size() && text[j] >= '0' && text[j] <= '9' && j - i < 3) value = value * 10 + (text[j++] - '0');
        if (j == i || value > 255) return false;
        ++parts;
        if (j == text.size()) break;
        if (text[j] != '.') return false;
        i = j + 1;
    }
    return parts == 4;
}

void validate_vip(const VipConfig& vip, std::vector<ValidationProblem>& problems) {
    if (!vip.enabled) return;
    auto problem = [&](std::string key, std::string message) {
        problems.push_back({"vip." + std::move(key), std::move(message)});
    };
    if (vip.interface.empty()) problem("interface", "the interface that holds the VIP is required");
    if (!is_ipv4(vip.address)) problem("address", "expected an IPv4 address like 198.18.0.100/24");
    if (vip.vrid == 0) problem("vrid", "a virtual router id (1-255) is required; peers must use the same one");
    const auto interval = vip.advert_interval.count();
    if (vip.version == 2 && (interval % 1000 != 0 || interval < 1000 || interval > 255000))
        problem("advert_interval", "VRRP v2 adverts are in whole seconds (1s to 255s)");
    if (vip.version == 3 && (interval % 10 != 0 || interval > 40950))
        problem("advert_interval", "VRRP v3 adverts are in centiseconds (10ms to 40950ms, a multiple of 10ms)");
    if (!vip.auth_pass.empty() && vip.version != 2) problem("auth_pass", "auth_pass exists only in VRRP v2");
    if (vip.auth_pass.size() > 8) problem("auth_pass", "VRRP v2 passwords are at most 8 characters");
    for (std::size_t i = 0; i < vip.unicast_peers.size(); ++i)
        if (!is_ipv4(vip.unicast_peers[i]))
            problem("unicast_peers[" + std::to_string(i) + "]", "expected an IPv4 address");
    if (!vip.unicast_src.empty() && !is_ipv4(vip.unicast_src)) problem("unicast_src", "expected an IPv4 address");
}

// Per-database and per-user pool settings exist only where pgfront pools; in pass-through
// (pool.mode none) the servers decide everything, so such settings would mislead.
void validate_pool_overrides(const Config& config, std::vector<ValidationProblem>& problems) {
    const auto& pool = config.pool;
    if (pool.mode == PoolMode::none) {
        if (!pool.databases.empty())
            problems.push_back({"pool.databases", "per-database pool settings need a pooling pool.mode "
                                                  "(session, transaction or statement)"});
        if (!pool.users.empty())
            problems.push_back({"pool.users", "per-user pool settings need a pooling pool.mode "
                                              "(session, transaction or statement)"});
        if (!config.auth.hba.empty())
            problems.push_back({"auth.hba", "auth.hba applies to the pooling modes; in pass-through "
                                            "(pool.mode none) the servers' pg_hba.conf decides"});
        if (!config.auth.trust_users.empty())
            problems.push_back({"auth.trust_users", "auth.trust_users applies to the pooling modes; in "
                                                    "pass-through the servers authenticate"});
        return;
    }
    for (const auto& [name, o] : pool.databases) {
        const int size = o.pool_size.value_or(pool.default_pool_size);
        if (o.min_pool_size && *o.min_pool_size > size)
            problems.push_back({"pool.databases." + name + ".min_pool_size",
                                "min_pool_size cannot exceed the database's pool_size (" + std::to_string(size) + ")"});
    }
}

}  // namespace

std::vector<ValidationProblem> validate(const Config& config) {
    std::vector<ValidationProblem> problems;
    auto problem = [&](std::string key, std::string message) {
        problems.push_back({std::move(key), std::move(message)});
    };

    if (config.cluster.nodes.empty()) problem("cluster.nodes", "at least one seed node is required");
    std::set<std::string> names;
    for (std::size_t i = 0; i < config.cluster.nodes.size(); ++i) {
        const auto& node = config.cluster.nodes[i];
        const auto key = "cluster.nodes[" + std::to_string(i) + "]";
        if (!names.insert(node.name).second)
            problem(key + ".name", "node name '" + node.name + "' is used twice");
        if (node.api.rfind("http://", 0) != 0)
            problem(key + ".api", "expected a Patroni REST URL like http://HOST:8008, got '" +
                                      node.api + "'");
    }

    const auto& h = config.health;
    if (h.timeout > h.interval * 4)
        problem("health.timeout", "timeout should not exceed 4 x interval, or a hung node "
                                  "delays its own checks for too long");

    if (config.listen.primary == config.listen.replica)
        problem("listen.replica", "the replica listener must differ from the primary listener");
    if (config.admin.listen == config.listen.primary || config.admin.listen == config.listen.replica)
        problem("admin.listen", "the admin API must not share a port with a PostgreSQL listener");
    if (!is_loopback_host(config.admin.listen.host) && config.admin.token.empty())
        problem("admin.token", "admin.listen is not a loopback address, so admin.token is required");

    validate_vip(config.vip, problems);
    validate_tls(config.tls, problems);

    const auto& pool = config.pool;
    if (pool.min_pool_size > pool.default_pool_size)
        problem("pool.min_pool_size", "min_pool_size cannot exceed default_pool_size");
    if (!config.auth.auth_user.empty() && config.auth.auth_file.empty())
        problem("auth.auth_file", "auth_user's own password must be in auth.auth_file");
    if (!config.auth.auth_user.empty() && config.auth.auth_query.find("$1") == std::string::npos)
        problem("auth.auth_query", "auth_query must take the user name as $1");
    validate_pool_overrides(config, problems);
    if (pool.mode != PoolMode::none && config.auth.type != AuthType::trust && config.auth.auth_file.empty())
        problem("pool.mode", "the pooling modes authenticate clients themselves: set auth.auth_file "
                             "(a PgBouncer userlist.txt) or auth.type: trust");
    return problems;
}

}  // namespace pgfront::conf
