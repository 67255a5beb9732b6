// Where a PostgreSQL cancel key leads. Pass-through clients hold the server's own key, so a
// CancelRequest goes as it is to the node that issued it. Pooled clients hold pgfront's key;
// it leads to the session that owns it, which knows the server it leases right now (if any)
// and that server's key. Shared by all workers; entries change only when a session starts or
// ends, never per transaction, so a mutex is fine.
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

    // A pooled session's key: the "process ID" in its BackendKeyData is its session id, kept
    // positive as PostgreSQL's are (past 2^31 sessions ids wrap, and 0, which clients may read
    // as "no key", becomes 1; the secret tells apart two sessions that share one). The key the
    // directory holds is the one the client was sent.
    static CancelKey of_session(std::uint64_t session_id, std::uint32_t secret) {
        const auto process_id = static_cast<std::uint32_t>(session_id & 0x7fffffff);
        return {process_id == 0 ? 1u : process_id, secret};
    }
};

struct CancelTarget {
    std::optional<conf::Endpoint> server;  // none: the client holds no server right now
    std::int32_t server_pid = 0;           // 0: forward the client's own key unchanged
    std::uint32_t server_secret = 0;
    // A pooled client's key: ask its session, on worker `owner_worker`, for the server it
    // leases at the moment of the cancel (server is unset then).
    int owner_worker = -1;
    std::uint64_t owner_session = 0;
};

class CancelDirectory {
public:
    void add(CancelKey key, CancelTarget target) {
        std::lock_guard lock(mutex_);
        keys_[key] = std::move(target);
    }
    void remove(CancelKey key) {
        std::lock_guard lock(mutex_);
        keys_.erase(key);
    }
    std::optional<CancelTarget> find(CancelKey key) const {
        std::lock_guard lock(mutex_);
        auto it = keys_.find(key);
        if (it == keys_.end()) return std::nullopt;
        return it->second;
    }

private:
    mutable std::mutex mutex_;
    std::map<CancelKey, CancelTarget> keys_;
};

}  // namespace pgfront::proxy
