// max_db_connections and max_user_connections: how many server connections all pools of one
// database, or of one user, may hold together in the whole process, whichever worker thread
// the pools live on. Lock-free counters shared by those pools; a connection's share is taken
// before it is opened and given back when the connection object goes away (QuotaTokens).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace pgfront::pool {

class ConnectionQuota {
  public:
    void set_limit(int limit) { limit_.store(limit, std::memory_order_relaxed); }  // 0: no limit
    int limit() const { return limit_.load(std::memory_order_relaxed); }
    int in_use() const { return in_use_.load(std::memory_order_relaxed); }

    // Counts one more connection, unless that would go over the limit.
    bool try_take();
    void give_back() { in_use_.fetch_sub(1, std::memory_order_acq_rel); }

    // How many pools have clients waiting that this quota refused a connection. While any
    // do, pools under the same quota close their idle servers to make room (PgBouncer
    // evicts an idle connection of the database the same way).
    void add_starved(int delta) { starved_.fetch_add(delta, std::memory_order_acq_rel); }
    bool starved() const { return starved_.load(std::memory_order_acquire) > 0; }

  private:
    std::atomic<int> limit_{0};
    std::atomic<int> in_use_{0};
    std::atomic<int> starved_{0};
};

// One server connection's share of its database's and its user's quotas, given back when
// destroyed. Move-only.
class QuotaTokens {
  public:
    QuotaTokens() = default;
    // Both shares or none; nullopt when either quota is full. Null quotas mean no limit.
    static std::optional<QuotaTokens> take(std::shared_ptr<ConnectionQuota> database,
                                           std::shared_ptr<ConnectionQuota> user);
    QuotaTokens(QuotaTokens&& other) noexcept = default;
    QuotaTokens& operator=(QuotaTokens&& other) noexcept;
    QuotaTokens(const QuotaTokens&) = delete;
    QuotaTokens& operator=(const QuotaTokens&) = delete;
    ~QuotaTokens() { give_back(); }

  private:
    void give_back();
    std::shared_ptr<ConnectionQuota> database_;
    std::shared_ptr<ConnectionQuota> user_;
};

// The quotas by database and by user name, shared by every worker. A quota lives as long as
// a pool uses it.
class QuotaTable {
  public:
    std::shared_ptr<ConnectionQuota> database(const std::string& name) {
        return find(databases_, name);
    }
    std::shared_ptr<ConnectionQuota> user(const std::string& name) { return find(users_, name); }

  private:
    using Map = std::map<std::string, std::weak_ptr<ConnectionQuota>, std::less<>>;
    std::shared_ptr<ConnectionQuota> find(Map& map, const std::string& name);

    std::mutex mutex_;
    Map databases_;
    Map users_;
};

}  // namespace pgfront::pool
