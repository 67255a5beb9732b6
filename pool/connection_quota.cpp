// Shared connection limits (see connection_quota.hpp).
#include "pool/connection_quota.hpp"

#include <utility>

namespace pgfront::pool {

bool ConnectionQuota::try_take() {
    int used = in_use_.load(std::memory_order_relaxed);
    for (;;) {
        const int limit = limit_.load(std::memory_order_relaxed);
        if (limit > 0 && used >= limit) return false;
        if (in_use_.compare_exchange_weak(used, used + 1, std::memory_order_acq_rel)) return true;
    }
}

std::optional<QuotaTokens> QuotaTokens::take(std::shared_ptr<ConnectionQuota> database,
                                             std::shared_ptr<ConnectionQuota> user) {
    if (database && !database->try_take()) return std::nullopt;
    if (user && !user->try_take()) {
        if (database) database->give_back();
        return std::nullopt;
    }
    QuotaTokens tokens;
    tokens.database_ = std::move(database);
    tokens.user_ = std::move(user);
    return tokens;
}

QuotaTokens& QuotaTokens::operator=(QuotaTokens&& other) noexcept {
    if (this != &other) {
        give_back();
        database_ = std::move(other.database_);
        user_ = std::move(other.user_);
    }
    return *this;
}

void QuotaTokens::give_back() {
    if (database_) database_->give_back();
    if (user_) user_->give_back();
    database_.reset();
    user_.reset();
}

std::shared_ptr<ConnectionQuota> QuotaTable::find(Map& map, const std::string& name) {
    std::lock_guard lock(mutex_);
    auto& slot = map[name];
    if (auto quota = slot.lock()) return quota;
    std::erase_if(map,
                  [&](const auto& entry) { return entry.first != name && entry.second.expired(); });
    auto quota = std::make_shared<ConnectionQuota>();
    slot = quota;
    return quota;
}

}  // namespace pgfront::pool
