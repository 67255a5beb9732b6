// Named prepared statements in the pooling modes. A client's statement names are its own;
// on a server connection pgfront prepares each distinct statement (query text + parameter
// types) once, under a name pgfront owns, so clients that prepare the same query share it
// and a client can move between server connections between transactions.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pgfront::pool {

// One distinct statement. `body` is the Parse payload after the statement name (query text,
// NUL, parameter type count and OIDs): exactly what is re-sent to prepare it elsewhere.
struct StatementDefinition {
    std::uint64_t id = 0;
    std::string server_name;  // "pgfront_<id>"
    std::string body;
};

using StatementPtr = std::shared_ptr<const StatementDefinition>;

// Interns statement bodies on one worker thread: the same body gets the same definition
// while any client still holds it. Ids are never reused, so a server name can never mean two
// different statements on one server connection.
class StatementRegistry {
public:
    StatementPtr intern(std::string_view body);
    std::size_t size() const { return by_body_.size(); }

private:
    void sweep();

    std::unordered_map<std::string, std::weak_ptr<const StatementDefinition>> by_body_;
    std::uint64_t next_id_ = 1;
    std::size_t sweep_at_ = 1024;
};

// A client's statement names and what they stand for.
class ClientStatements {
public:
    const StatementPtr* find(std::string_view name) const;
    void set(std::string_view name, StatementPtr statement);
    // Removes `name`, only if it still means `statement` when one is given.
    void erase(std::string_view name, const StatementDefinition* statement = nullptr);
    void clear() { by_name_.clear(); }
    std::size_t size() const { return by_name_.size(); }

private:
    std::unordered_map<std::string, StatementPtr> by_name_;
};

// The statements prepared on one server connection, least recently used first out.
class ServerStatementCache {
public:
    explicit ServerStatementCache(std::size_t capacity = 200) : capacity_(capacity == 0 ? 1 : capacity) {}

    bool contains(std::uint64_t id) const { return index_.contains(id); }
    // Marks `id` as just used.
    void touch(std::uint64_t id);
    // Records a statement about to be prepared; returns the server name of one to close when
    // the cache was full.
    std::optional<std::string> insert(std::uint64_t id, std::string_view server_name);
    void erase(std::uint64_t id);
    void clear();
    std::size_t size() const { return index_.size(); }
    void set_capacity(std::size_t capacity) { capacity_ = capacity == 0 ? 1 : capacity; }

private:
    struct Entry {
        std::uint64_t id;
        std::string server_name;
    };
    std::size_t capacity_;
    std::list<Entry> order_;  // front: most recently used
    std::unordered_map<std::uint64_t, std::list<Entry>::iterator> index_;
};

}  // namespace pgfront::pool
