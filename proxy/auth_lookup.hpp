// Where a pooled client's password comes from: the auth file, else auth_query run on the
// current primary as auth_user, with answers (found or not) cached for auth_cache_ttl.
// One per worker. A lookup logs in to the primary as auth_user, so a storm of logins must not
// become a storm of server connections: logins for a user whose lookup is under way (to the
// same database, without auth_dbname) wait for its answer, and at most max_concurrent_lookups
// run at once (the rest wait in line).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
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
        in_flight_.clear();  // logins from now on ask anew; those waiting get the answer they waited for
        ++clears_;
    }

    static constexpr int max_concurrent_lookups = 4;

private:
    struct Flight;
    boost::asio::awaitable<PasswordLookup> lead(std::string flight_key, const std::string& user,
                                                const std::string& database);
    void end_turn();
    boost::asio::awaitable<PasswordLookup> query(const std::string& user, const std::string& database);

    struct Cached {
        std::optional<auth::StoredPassword> password;
        std::chrono::steady_clock::time_point expires;
    };
    Worker& worker_;
    std::map<std::string, Cached, std::less<>> cache_;
    std::uint64_t clears_ = 0;  // a lookup that began before a clear() does not refill the cache
    std::map<std::string, std::shared_ptr<Flight>, std::less<>> in_flight_;  // by user (and database)
    int running_ = 0;
    std::deque<std::shared_ptr<Flight>> turns_;  // lookups waiting for one of the running ones to end
};

}  // namespace pgfront::proxy
