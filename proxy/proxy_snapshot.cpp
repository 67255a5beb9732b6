// See proxy_snapshot.hpp.
#include "proxy/proxy_snapshot.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace pgfront::proxy {

std::string_view to_string(ClientState state) {
    switch (state) {
        case ClientState::login: return "login";
        case ClientState::idle: return "idle";
        case ClientState::active: return "active";
        case ClientState::waiting: return "waiting";
        case ClientState::paused: return "paused";
    }
    return "unknown";
}

void ProxySnapshot::merge(ProxySnapshot part) {
    using Key = std::tuple<ListenerRole, std::string, std::string, std::string>;
    std::map<Key, std::size_t> index;
    for (std::size_t i = 0; i < pools.size(); ++i)
        index.emplace(Key{pools[i].role, pools[i].node, pools[i].database, pools[i].user}, i);
    for (auto& p : part.pools) {
        const auto [it, fresh] = index.emplace(Key{p.role, p.node, p.database, p.user}, pools.size());
        if (fresh) {
            pools.push_back(std::move(p));
            continue;
        }
        auto& mine = pools[it->second];
        mine.clients_active += p.clients_active;
        mine.clients_waiting += p.clients_waiting;
        mine.servers_active += p.servers_active;
        mine.servers_idle += p.servers_idle;
        mine.servers_connecting += p.servers_connecting;
        mine.max_wait_seconds = std::max(mine.max_wait_seconds, p.max_wait_seconds);
        mine.draining = mine.draining && p.draining;
        mine.stats.merge(p.stats);
    }
    std::move(part.clients.begin(), part.clients.end(), std::back_inserter(clients));
    std::move(part.servers.begin(), part.servers.end(), std::back_inserter(servers));
    complete = complete && part.complete;
    // Every worker holds the same pause state: keep it (it was dropped here before).
    paused_all = paused_all || part.paused_all;
    if (paused_databases.empty()) paused_databases = std::move(part.paused_databases);
}

}  // namespace pgfront::proxy
