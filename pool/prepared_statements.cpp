// Statement interning and the per-connection caches (see prepared_statements.hpp).
#include "pool/prepared_statements.hpp"

#include <iterator>

namespace pgfront::pool {

StatementPtr StatementRegistry::intern(std::string_view body) {
    auto it = by_body_.find(std::string(body));
    if (it != by_body_.end()) {
        if (auto live = it->second.lock()) return live;
    }
    auto definition = std::make_shared<StatementDefinition>();
    definition->id = next_id_++;
    definition->server_name = "pgfront_" + std::to_string(definition->id);
    definition->body = std::string(body);
    if (it != by_body_.end())
        it->second = definition;
    else
        by_body_.emplace(definition->body, definition);
    if (by_body_.size() >= sweep_at_) sweep();
    return definition;
}

// Forgets bodies no client holds any more; runs when the table doubles, so its cost is
// spread over the insertions that made it necessary.
void StatementRegistry::sweep() {
    std::erase_if(by_body_, [](const auto& entry) { return entry.second.expired(); });
    sweep_at_ = std::max<std::size_t>(1024, by_body_.size() * 2);
}

const StatementPtr* ClientStatements::find(std::string_view name) const {
    const auto it = by_name_.find(std::string(name));
    return it == by_name_.end() ? nullptr : &it->second;
}

void ClientStatements::set(std::string_view name, StatementPtr statement) {
    by_name_[std::string(name)] = std::move(statement);
}

void ClientStatements::erase(std::string_view name, const StatementDefinition* statement) {
    const auto it = by_name_.find(std::string(name));
    if (it == by_name_.end()) return;
    if (statement && it->second.get() != statement) return;
    by_name_.erase(it);
}

void ServerStatementCache::touch(std::uint64_t id) {
    const auto it = index_.find(id);
    if (it != index_.end()) order_.splice(order_.begin(), order_, it->second);
}

std::optional<std::string> ServerStatementCache::insert(std::uint64_t id, std::string_view server_name) {
    if (contains(id)) {
        touch(id);
        return std::nullopt;
    }
    std::optional<std::string> evicted;
    if (index_.size() >= capacity_) {
        auto& oldest = order_.back();
        evicted = std::move(oldest.server_name);
        index_.erase(oldest.id);
        order_.pop_back();
    }
    order_.push_front(Entry{id, std::string(server_name)});
    index_.emplace(id, order_.begin());
    return evicted;
}

void ServerStatementCache::erase(std::uint64_t id) {
    const auto it = index_.find(id);
    if (it == index_.end()) return;
    order_.erase(it->second);
    index_.erase(it);
}

void ServerStatementCache::clear() {
    order_.clear();
    index_.clear();
}

}  // namespace pgfront::pool
