// Which server a PostgreSQL cancel key belongs to. In pass-through mode clients receive the
// server's own BackendKeyData, so a CancelRequest arriving on a new connection must be sent
// to the node that issued that key. Shared by all workers; cancels are rare, a mutex is fine.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "conf/config.hpp"

namespace pgfront::proxy {

struct CancelKey {
    std::uint32_t process_id = 0;
    std::uint32_t secret = 0;
    friend auto operator<=>(const CancelKey&, const CancelKey&) = default;
};

class CancelDirectory {
public:
    void add(CancelKey key, conf::Endpoint server) {
        std::lock_guard lock(mutex_);
        keys_[key] = std::move(server);
    }
    void remove(CancelKey key) {
        std::lock_guard lock(mutex_);
        keys_.erase(key);
    }
    std::optional<conf::Endpoint> find(CancelKey key) const {
        std::lock_guard lock(mutex_);
        auto it = keys_.find(key);
        if (it == keys_.end()) return std::nullopt;
        return it->second;
    }

private:
    mutable std::mutex mutex_;
    std::map<CancelKey, conf::Endpoint> keys_;
};

}  // namespace pgfront::proxy
