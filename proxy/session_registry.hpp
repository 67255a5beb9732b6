// The sessions of one worker thread and how many are bound to each node. Single-threaded:
// only its worker's event loop touches it, so it needs no locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace pgfront::proxy {

class ClientSession;

class SessionRegistry {
public:
    void add(ClientSession* session, std::uint64_t id) {
        sessions_.insert(session);
        by_id_.emplace(id, session);
    }
    void remove(ClientSession* session, std::uint64_t id) {
        sessions_.erase(session);
        by_id_.erase(id);
    }
    ClientSession* find(std::uint64_t id) const {
        auto it = by_id_.find(id);
        return it == by_id_.end() ? nullptr : it->second;
    }

    // A node's count stays at zero rather than being erased: a lease per transaction would
    // otherwise allocate its entry anew each time. Nodes are few.
    void bind(const std::string& node) { ++per_node_[node]; }
    void unbind(const std::string& node) {
        if (auto it = per_node_.find(node); it != per_node_.end() && it->second > 0) --it->second;
    }

    int sessions_on(std::string_view node) const {
        auto it = per_node_.find(std::string(node));
        return it == per_node_.end() ? 0 : it->second;
    }

    std::size_t size() const { return sessions_.size(); }

    // A copy, because closing a session may remove it from the set while we iterate.
    std::vector<ClientSession*> snapshot() const { return {sessions_.begin(), sessions_.end()}; }

private:
    std::unordered_set<ClientSession*> sessions_;
    std::unordered_map<std::uint64_t, ClientSession*> by_id_;
    std::unordered_map<std::string, int> per_node_;
};

}  // namespace pgfront::proxy
