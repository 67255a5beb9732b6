// Where a pooled client's password comes from: the auth file, else auth_query run on the
// current primary as auth_user, with answers (found or not) cached for auth_cache_ttl.
// One per worker; lookups for the same user at the same time each run (rare, harmless).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "auth/stored_password.hpp"

namespace pgfront::proxy {

class Worker;

struct PasswordLookup {
    std::optional<auth::StoredPassword> password;  // nullopt: no such user (or no password)
    std::optional<std::string> error;              // the lookup itself failed (logged; client gets 28P01)
};

class AuthLookup {
public:
    explicit AuthLookup(Worker& worker) : worker_(worker) {}

    boost::asio::awaitable<PasswordLookup> find(const std::string& user, const std::string& database);
    void clear() {
        cache_.clear();
        ++clears_;
    }

private:
    boost::asio::awaitable<PasswordLookup> query(const std::string& user, const std::string& database);

    struct Cached {
        std::optional<auth::StoredPassword> password;
        std::chrono::steady_clock::time_point expires;
    };
    Worker& worker_;
    std::map<std::string, Cached, std::less<>> cache_;
    std::uint64_t clears_ = 0;  // a lookup that began before a clear() does not refill the cache
};

}  // namespace pgfront::proxy
