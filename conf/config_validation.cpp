// Cross-field rules for a Config (see config_validation.hpp).
#include "conf/config_validation.hpp"

#include <set>

namespace pgfront::conf {

bool is_loopback_host(const std::string& host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

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

    if (config.pool.mode != PoolMode::none)
        problem("pool.mode", "only 'none' (plain relay) is implemented in this version");
    return problems;
}

}  // namespace pgfront::conf
