// The I/O side of a pool (see server_pool.hpp).
#include "pool/server_pool.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "net/timer_wait.hpp"
#include "pool/server_check.hpp"
#include "protocol/sqlstate.hpp"

namespace pgfront::pool {
namespace asio = boost::asio;

struct ServerPool::Waiter {
    // Made only when the answer does not come at once: under load most requests find an
    // idle server straight away, and a timer per transaction is not free.
    std::optional<asio::steady_timer> signal;
    Lease lease;
    bool check = false;  // run server_check_query before using the server
    bool done = false;

    void answer() {
        done = true;
        if (signal) signal->cancel();
    }
};

ServerPool::ServerPool(asio::any_io_executor executor, std::string node, conf::Endpoint endpoint,
                       PoolSettings settings, ServerLogin login, std::chrono::milliseconds connect_timeout,
                       PoolQuotas quotas)
    : executor_(executor),
      node_(std::move(node)),
      endpoint_(std::move(endpoint)),
      state_(settings),
      login_(std::move(login)),
      connect_timeout_(connect_timeout),
      tick_(executor),
      quotas_(std::move(quotas)) {
    carry_out(state_.tick(Clock::now()));  // min_pool_size
}

ServerPool::~ServerPool() {
    *alive_ = false;
    set_starved(false);
    for (auto& [id, server] : idle_) server->close();
}

// A server that fails its check is closed and the client waits for another one. A pool whose
// every server fails (a check query the server rejects) gives up after a few. One coroutine
// frame for the whole wait: a client that waits does so for nearly every transaction under
// load.
asio::awaitable<Lease> ServerPool::acquire(Clock::time_point asked) {
    constexpr int max_failed_checks = 3;
    for (int failed = 0;; asked = Clock::now()) {
        Waiter waiter;
        const auto id = next_waiter_++;
        waiters_[id] = &waiter;
        carry_out(state_.request(id, asked));
        if (!waiter.done) {
            waiter.signal.emplace(executor_, Clock::time_point::max());
            co_await net::recycled_wait(*waiter.signal);
        }
        waiters_.erase(id);
        if (!waiter.done) {
            // Woken without an answer: the session is being closed. Leave the queue.
            carry_out(state_.cancel(id, Clock::now()));
            waiter.lease.failure =
                LoginFailure{std::string(protocol::sqlstate::admin_shutdown), "session closed", {}};
        }
        auto lease = std::move(waiter.lease);
        if (!lease.server || !waiter.check) co_return lease;
        const auto query = state_.settings().server_check_query;
        if (co_await run_server_check(*lease.server, query, connect_timeout_)) co_return lease;
        spdlog::warn("pool node={} user={} db={}: server {} failed server_check_query; closing it", node_,
                     login_.user, login_.database, lease.server->id());
        lease.server->close();
        release(std::move(lease.server), false, Clock::now());
        if (++failed == max_failed_checks) {
            lease.failure = LoginFailure{std::string(protocol::sqlstate::connection_failure),
                                         "server_check_query failed on " + std::to_string(failed) +
                                             " server connections to " + node_, {}};
            co_return lease;
        }
    }
}

std::unique_ptr<ServerConnection> ServerPool::lend_idle(Clock::time_point now) {
    const auto id = state_.lend_idle(now);
    if (!id) return nullptr;
    auto it = idle_.find(*id);
    auto server = std::move(it->second);
    idle_.erase(it);
    // No re-arm of the tick: one idle server fewer only moves the next deadline later, and an
    // early tick finds nothing to do.
    return server;
}

void ServerPool::release(std::unique_ptr<ServerConnection> server, bool reusable, Clock::time_point now) {
    const auto id = server->id();
    server->input().release(64 * 1024);  // a buffer that grew for a big reply is not kept
    server->mark_idle(now);
    idle_[id] = std::move(server);
    carry_out(state_.release(id, reusable, now));
}

void keep_credentials(ServerLogin& login, const ServerLogin& known) {
    if (login.password || login.scram_keys) return;
    login.password = known.password;
    login.scram_keys = known.scram_keys;
}

void ServerPool::update_login(ServerLogin login) {
    keep_credentials(login, login_);
    login_ = std::move(login);
}

void ServerPool::drain() { carry_out(state_.drain(Clock::now())); }

void ServerPool::reconfigure(PoolSettings settings) {
    state_.reconfigure(std::move(settings));
    carry_out(state_.tick(Clock::now()));  // e.g. a larger min_pool_size opens servers now
}

bool ServerPool::limited() const {
    return (quotas_.database && quotas_.database->limit() > 0) || (quotas_.user && quotas_.user->limit() > 0);
}

void ServerPool::retry_open() { carry_out(state_.tick(Clock::now())); }

bool ServerPool::evict_idle_for_starved_quota() {
    if (starved_) return false;
    const auto counts = state_.counts();
    if (counts.idle == 0 || counts.waiting > 0) return false;
    const bool needed = (quotas_.database && quotas_.database->starved()) || (quotas_.user && quotas_.user->starved());
    if (!needed) return false;
    carry_out(state_.evict_idle(Clock::now()));
    return true;
}

void ServerPool::set_starved(bool starved) {
    if (starved == starved_) return;
    starved_ = starved;
    const int delta = starved ? 1 : -1;
    if (quotas_.database) quotas_.database->add_starved(delta);
    if (quotas_.user) quotas_.user->add_starved(delta);
}

void ServerPool::carry_out(PoolActions actions) {
    bool refused = false, opened = false;
    for (auto& action : actions) {
        if (auto* grant = std::get_if<Grant>(&action)) {
            auto it = idle_.find(grant->server);
            auto waiter = waiters_.find(grant->waiter);
            if (it == idle_.end() || waiter == waiters_.end()) continue;
            waiter->second->lease.server = std::move(it->second);
            waiter->second->check = grant->check;
            waiter->second->answer();
            idle_.erase(it);
        } else if (auto* open = std::get_if<OpenServer>(&action)) {
            // Warming up to min_pool_size must not take the room a starved pool waits for.
            const bool yield_room = open->warm && ((quotas_.database && quotas_.database->starved()) ||
                                                   (quotas_.user && quotas_.user->starved()));
            auto tokens = yield_room ? std::nullopt : QuotaTokens::take(quotas_.database, quotas_.user);
            if (!tokens) {
                state_.server_open_refused(open->reserve, Clock::now());
                refused |= !open->warm;
                continue;
            }
            opened = true;
            asio::co_spawn(executor_, open_server(open->reserve, std::move(*tokens)), asio::detached);
        } else if (auto* close = std::get_if<CloseServer>(&action)) {
            if (auto it = idle_.find(close->server); it != idle_.end()) {
                spdlog::debug("pool node={} user={} db={}: closing server {} ({})", node_, login_.user, login_.database,
                              close->server, close->reason);
                it->second->close();
                idle_.erase(it);
            }
        } else if (auto* timeout = std::get_if<WaitTimedOut>(&action)) {
            if (auto waiter = waiters_.find(timeout->waiter); waiter != waiters_.end()) {
                waiter->second->lease.failure = LoginFailure{
                    std::string(protocol::sqlstate::query_canceled),
                    "query_wait_timeout: no server connection to " + node_ + " became free in time", {}};
                // A pool drained under its waiters (the node lost its role) sends them back to
                // routing; a real query_wait_timeout is the client's answer.
                waiter->second->lease.failure->definitive = !state_.draining();
                waiter->second->answer();
            }
        }
    }
    const bool waiting = state_.oldest_wait().has_value();  // counts() walks every server
    if (refused) set_starved(waiting);
    else if (opened || !waiting) set_starved(false);
    arm_tick();
}

void ServerPool::arm_tick() {
    const auto next = state_.next_deadline();
    if (!next) {
        tick_.cancel();
        tick_armed_ = false;
        return;
    }
    // Deadlines mostly move later (the next waiter in line came later, a server went idle
    // just now). A pending tick that is due no later than needed stays: waking early costs
    // one empty tick, while re-arming on every lease made the event loop reprogram its kernel
    // timeout about once per transaction.
    if (tick_armed_ && tick_.expiry() <= *next) return;
    tick_.expires_at(*next);
    tick_armed_ = true;
    tick_.async_wait([this, alive = alive_](boost::system::error_code ec) {
        if (ec || !*alive) return;
        tick_armed_ = false;
        carry_out(state_.tick(Clock::now()));
    });
}

asio::awaitable<void> ServerPool::open_server(bool reserve, QuotaTokens tokens) {
    auto alive = alive_;
    const auto id = next_server_++;
    auto server = std::make_unique<ServerConnection>(executor_, id, node_, endpoint_);
    server->hold(std::move(tokens));
    // A copy: update_login() may replace login_ while this login waits, and with it the last
    // reference to the TLS contexts the login is using.
    const auto login = login_;
    auto failure = co_await server->connect_and_login(login, connect_timeout_);
    if (!*alive) co_return;
    if (!failure) {
        parameters_ = server->parameters();
        idle_[id] = std::move(server);
        carry_out(state_.server_connected(id, reserve, Clock::now()));
        co_return;
    }
    spdlog::warn("pool node={} user={} db={}: server login failed: {}", node_, login_.user, login_.database,
                 failure->message);
    carry_out(state_.server_connect_failed(reserve, Clock::now()));
    if (!failure->definitive) co_return;  // network trouble: waiters keep waiting
    // The server itself said no (unknown database, bad credentials), or our credentials
    // cannot work: every waiter would get the same answer, so give it to them now rather
    // than at query_wait_timeout.
    for (auto& [waiter_id, waiter] : waiters_) {
        if (waiter->done) continue;
        waiter->lease.failure = *failure;
        waiter->answer();
        state_.cancel(waiter_id, Clock::now());
    }
}

}  // namespace pgfront::pool
