// Password lookup (see auth_lookup.hpp).
#include "proxy/auth_lookup.hpp"

#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "auth/user_list.hpp"
#include "net/completion_tokens.hpp"
#include "net/guarded_deadline.hpp"
#include "pool/server_connection.hpp"
#include "proxy/worker.hpp"

namespace pgfront::proxy {
namespace asio = boost::asio;
using net::nothrow;

namespace {
// Plain functions build the results: g++ 12 miscompiles some braced initializers in co_return.
PasswordLookup found(std::optional<auth::StoredPassword> password) {
    PasswordLookup r;
    r.password = std::move(password);
    return r;
}
PasswordLookup failed(std::string why) {
    PasswordLookup r;
    r.error = std::move(why);
    return r;
}
}  // namespace

// One lookup under way: the logins for the same user wait on `answered` (cancelled once the
// answer is in); the lookup itself waits on `turn` while max_concurrent_lookups others run.
struct AuthLookup::Flight {
    explicit Flight(const asio::any_io_executor& executor)
        : answered(executor, asio::steady_timer::time_point::max()), turn(executor, asio::steady_timer::time_point::max()) {}
    asio::steady_timer answered;
    asio::steady_timer turn;
    std::optional<PasswordLookup> answer;
};

// Runs for every pooled login: no configuration snapshot (an atomic count) is kept; the TTL
// is read after the wait from the current configuration.
asio::awaitable<PasswordLookup> AuthLookup::find(const std::string& user, const std::string& database) {
    if (const auto& users = worker_.users()) {
        if (const auto* entry = users->find(user)) co_return found(entry->password);
    }
    if (const auto& auth_user = worker_.config().auth.auth_user; auth_user.empty() || user == auth_user)
        co_return found(std::nullopt);
    const auto now = std::chrono::steady_clock::now();
    if (auto it = cache_.find(user); it != cache_.end() && it->second.expires > now)
        co_return found(it->second.password);
    // Without auth_dbname each lookup asks in the client's database, which may answer
    // otherwise (or fail): only logins to the same database share a lookup.
    std::string flight_key = user;
    if (worker_.config().auth.auth_dbname.empty()) (flight_key += '\0') += database;
    if (auto it = in_flight_.find(flight_key); it != in_flight_.end()) {
        const auto flight = it->second;
        co_await flight->answered.async_wait(nothrow);
        if (flight->answer) co_return *flight->answer;
        co_return failed("auth_query: the lookup this login waited for ended without an answer");
    }
    const auto clears = clears_;
    auto found = co_await lead(flight_key, user, database);
    if (!found.error && clears == clears_)
        cache_[user] = Cached{found.password, now + worker_.config().auth.auth_cache_ttl};
    co_return found;
}

// The lookup that the logins for `user` (and, without auth_dbname, the same database)
// arriving meanwhile wait for.
asio::awaitable<PasswordLookup> AuthLookup::lead(std::string flight_key, const std::string& user,
                                                 const std::string& database) {
    const auto flight = std::make_shared<Flight>(worker_.context().get_executor());
    in_flight_[flight_key] = flight;
    if (running_ < max_concurrent_lookups) {
        ++running_;
    } else {
        turns_.push_back(flight);
        co_await flight->turn.async_wait(nothrow);  // end_turn() counted this lookup in
    }
    PasswordLookup answer;
    try {
        answer = co_await query(user, database);
    } catch (const std::exception& e) {  // a turn and a flight left behind would block logins for good
        answer = failed(std::string("auth_query: ") + e.what());
    }
    end_turn();
    // A clear() meanwhile may have let a newer lookup for this user begin: that one stays.
    if (auto it = in_flight_.find(flight_key); it != in_flight_.end() && it->second == flight) in_flight_.erase(it);
    flight->answer = answer;
    flight->answered.cancel();
    co_return answer;
}

void AuthLookup::end_turn() {
    --running_;
    if (turns_.empty()) return;
    const auto next = std::move(turns_.front());
    turns_.pop_front();
    ++running_;
    next->turn.cancel();
}

asio::awaitable<PasswordLookup> AuthLookup::query(const std::string& user, const std::string& database) {
    const auto snapshot = worker_.config_snapshot();
    const auto& config = snapshot->auth;
    // No primary right now (start-up, failover): wait for one as a routed client would.
    const auto deadline = Worker::Clock::now() + snapshot->listen.connect_wait;
    auto topology = worker_.topology();
    while (!(topology && topology->primary()) && Worker::Clock::now() < deadline) {
        co_await worker_.topology_change(deadline);
        topology = worker_.topology();
    }
    const auto* primary = topology ? topology->primary() : nullptr;
    if (!primary) co_return failed("auth_query: no primary to ask");
    const auto users = worker_.users();
    const auto* auth_user = users ? users->find(config.auth_user) : nullptr;
    if (!auth_user) co_return failed("auth_query: auth_user " + config.auth_user + " is not in auth_file");

    pool::ServerConnection connection(worker_.context().get_executor(), 0, primary->name,
                                      conf::Endpoint{primary->host, primary->port});
    pool::ServerLogin login;
    login.user = config.auth_user;
    login.database = config.auth_dbname.empty() ? database : config.auth_dbname;
    login.password = auth_user->password.text;
    login.tls = worker_.tls();
    if (auto failure = co_await connection.connect_and_login(login, snapshot->listen.server_connect_timeout)) {
        co_return failed("auth_query: login as " + config.auth_user + " failed: " + failure->message);
    }
    const std::vector<std::string> params{user};
    // The answer is bounded too, by the login it is for: a primary lost during the query
    // (TCP may take minutes to notice) or an auth_query that stalls would otherwise hold this
    // lookup, every login waiting for it and, with max_concurrent_lookups of them stuck, every
    // lookup of the worker.
    net::GuardedDeadline answer_deadline(worker_.context().get_executor());
    answer_deadline.arm(snapshot->listen.client_login_timeout, [&connection] { connection.close(); });
    auto result = co_await connection.query_first_row(config.auth_query, params);
    answer_deadline.cancel();
    connection.close();
    if (result.error) co_return failed("auth_query failed: " + result.error->message);
    if (!result.row || result.row->size() < 2 || !(*result.row)[1]) co_return found(std::nullopt);
    auth::SystemRandom random;  // a plaintext passwd (rare) is derived once, then cached
    co_return found(auth::with_derived_secret(auth::StoredPassword::classify(*(*result.row)[1]), random));
}

}  // namespace pgfront::proxy
