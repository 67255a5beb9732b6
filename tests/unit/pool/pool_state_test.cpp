// Pool decisions with an injected clock: FIFO service, pool and reserve sizes, login retry,
// lifetime and idle timeouts, dirty servers never reused, draining.
#include <doctest/doctest.h>

#include "pool/pool_state.hpp"

using namespace pgfront::pool;
using namespace std::chrono_literals;

namespace {

const TimePoint t0{};

template <class T>
std::vector<T> only(const PoolActions& actions) {
    std::vector<T> out;
    for (const auto& a : actions)
        if (auto* x = std::get_if<T>(&a)) out.push_back(*x);
    return out;
}

PoolSettings small(std::size_t size) {
    PoolSettings s;
    s.default_pool_size = size;
    return s;
}

// Servers 100 and 101 opened for two clients at t0 and given back at t0+1s and t0+2s.
void two_idle_servers(PoolState& pool) {
    pool.request(1, t0);
    pool.request(2, t0);
    pool.server_connected(100, false, t0);
    pool.server_connected(101, false, t0);
    pool.release(100, true, t0 + 1s);
    pool.release(101, true, t0 + 2s);
}

// A pool of one server, lent to client 1 at t0, with a reserve of one server.
PoolState full_pool_with_a_reserve(std::chrono::milliseconds reserve_pool_timeout) {
    auto s = small(1);
    s.reserve_pool_size = 1;
    s.reserve_pool_timeout = reserve_pool_timeout;
    PoolState pool(s);
    pool.request(1, t0);
    pool.server_connected(100, false, t0);
    return pool;
}

}  // namespace

TEST_CASE("an empty pool opens one server per waiter up to the pool size") {
    PoolState pool(small(2));
    CHECK(only<OpenServer>(pool.request(1, t0)).size() == 1);
    CHECK(only<OpenServer>(pool.request(2, t0)).size() == 1);
    CHECK(only<OpenServer>(pool.request(3, t0)).empty());  // full: 3 waits
    CHECK(pool.counts().connecting == 2);
    CHECK(pool.counts().waiting == 3);
}

TEST_CASE("connected servers go to waiters in arrival order") {
    PoolState pool(small(2));
    pool.request(10, t0);
    pool.request(11, t0 + 1ms);
    pool.request(12, t0 + 2ms);
    auto grants = only<Grant>(pool.server_connected(100, false, t0 + 5ms));
    REQUIRE(grants.size() == 1);
    CHECK(grants[0].waiter == 10);
    CHECK(only<Grant>(pool.server_connected(101, false, t0 + 6ms))[0].waiter == 11);
    // 12 gets the first server that comes back
    auto back = only<Grant>(pool.release(100, true, t0 + 7ms));
    REQUIRE(back.size() == 1);
    CHECK(back[0].waiter == 12);
    CHECK(back[0].server == 100);
}

TEST_CASE("an idle server is granted at once, the most recently used first") {
    PoolState pool(small(3));
    two_idle_servers(pool);  // 100, then 101 most recently used
    auto grants = only<Grant>(pool.request(3, t0 + 3s));
    REQUIRE(grants.size() == 1);
    CHECK(grants[0].server == 101);
    CHECK(pool.counts().idle == 1);
    CHECK(pool.counts().active == 1);
}

TEST_CASE("lend_idle takes what request would grant at once, and nothing when that needs more") {
    PoolSettings s = small(3);
    s.server_lifetime = 100s;
    s.server_check_delay = 10s;
    PoolState pool(s);
    CHECK_FALSE(pool.lend_idle(t0));  // nothing idle
    two_idle_servers(pool);  // 100, then 101 most recently used
    CHECK(pool.lend_idle(t0 + 3s) == std::optional<ServerId>(101));  // most recently used
    CHECK(pool.counts().idle == 1);
    CHECK(pool.counts().active == 1);
    pool.release(101, true, t0 + 4s);
    CHECK(only<Grant>(pool.request(3, t0 + 5s)).size() == 1);  // back in the pool as before

    SUBCASE("not a server due its check, nor one past its lifetime") {
        pool.release(101, true, t0 + 5s);
        CHECK_FALSE(pool.lend_idle(t0 + 16s));  // idle 11 s: request() grants it with a check
        CHECK(only<Grant>(pool.request(4, t0 + 16s))[0].check);
        pool.release(101, true, t0 + 101s);  // closed: past its lifetime
        CHECK(pool.counts().idle == 1);
        CHECK_FALSE(pool.lend_idle(t0 + 101s));  // 100 (created at t0) is past it too
    }
}

TEST_CASE("a server that is not at a clean boundary is closed, never reused") {
    PoolState pool(small(1));
    pool.request(1, t0);
    pool.server_connected(100, false, t0);
    pool.request(2, t0);  // waits
    auto actions = pool.release(100, false, t0 + 1s);
    auto closes = only<CloseServer>(actions);
    REQUIRE(closes.size() == 1);
    CHECK(closes[0].server == 100);
    CHECK(only<Grant>(actions).empty());
    CHECK(only<OpenServer>(actions).size() == 1);  // the waiter gets a fresh one
}

TEST_CASE("waiters time out after query_wait_timeout, in order") {
    auto s = small(1);
    s.query_wait_timeout = 2s;
    PoolState pool(s);
    pool.request(1, t0);
    pool.request(2, t0 + 500ms);
    CHECK(pool.next_deadline() == t0 + 2s);
    CHECK(only<WaitTimedOut>(pool.tick(t0 + 1999ms)).empty());
    auto expired = only<WaitTimedOut>(pool.tick(t0 + 2s));
    REQUIRE(expired.size() == 1);
    CHECK(expired[0].waiter == 1);
    CHECK(only<WaitTimedOut>(pool.tick(t0 + 2500ms))[0].waiter == 2);
}

TEST_CASE("the reserve pool opens only after reserve_pool_timeout and closes when the burst ends") {
    auto pool = full_pool_with_a_reserve(3s);
    pool.request(2, t0 + 1s);  // pool full
    CHECK(only<OpenServer>(pool.tick(t0 + 3s)).empty());
    auto opened = only<OpenServer>(pool.tick(t0 + 4s));
    REQUIRE(opened.size() == 1);
    CHECK(opened[0].reserve);
    CHECK(pool.counts().reserve_in_use == 1);
    CHECK(only<Grant>(pool.server_connected(101, true, t0 + 4100ms))[0].waiter == 2);
    auto closes = only<CloseServer>(pool.release(101, true, t0 + 5s));
    REQUIRE(closes.size() == 1);
    CHECK(closes[0].server == 101);
    CHECK(pool.counts().reserve_in_use == 0);
}

TEST_CASE("a failed login is not retried before server_login_retry") {
    auto s = small(2);
    s.server_login_retry = 1s;
    PoolState pool(s);
    CHECK(only<OpenServer>(pool.request(1, t0)).size() == 1);
    pool.server_connect_failed(false, t0 + 10ms);
    CHECK(only<OpenServer>(pool.request(2, t0 + 20ms)).empty());
    CHECK(pool.next_deadline() == t0 + 1010ms);
    CHECK(only<OpenServer>(pool.tick(t0 + 1010ms)).size() == 2);  // both waiters now
}

TEST_CASE("servers past server_lifetime are closed when idle or returned") {
    auto s = small(2);
    s.server_lifetime = 10s;
    PoolState pool(s);
    pool.request(1, t0);
    pool.server_connected(100, false, t0);
    auto closes = only<CloseServer>(pool.release(100, true, t0 + 11s));
    REQUIRE(closes.size() == 1);
    CHECK(std::string(closes[0].reason) == "server_lifetime");

    pool.request(2, t0 + 12s);
    pool.server_connected(101, false, t0 + 12s);
    pool.release(101, true, t0 + 13s);
    CHECK(only<CloseServer>(pool.tick(t0 + 21s)).empty());
    CHECK(only<CloseServer>(pool.tick(t0 + 22s)).size() == 1);
}

TEST_CASE("idle servers close after server_idle_timeout but min_pool_size stays open") {
    auto s = small(5);
    s.server_idle_timeout = 30s;
    s.min_pool_size = 1;
    PoolState pool(s);
    CHECK(only<OpenServer>(pool.tick(t0)).size() == 1);  // min_pool_size opens one
    pool.server_connected(100, false, t0);
    pool.request(1, t0);  // takes 100
    pool.request(2, t0);
    pool.server_connected(101, false, t0);
    pool.release(100, true, t0 + 1s);
    pool.release(101, true, t0 + 2s);
    auto closes = only<CloseServer>(pool.tick(t0 + 40s));
    REQUIRE(closes.size() == 1);
    CHECK(pool.counts().idle == 1);
    CHECK(only<CloseServer>(pool.tick(t0 + 100s)).empty());
    const auto next = pool.next_deadline();  // only the lifetime remains
    REQUIRE(next.has_value());
    CHECK(*next >= t0 + 3600s);
}

TEST_CASE("a deadline that falls just after a tick is still asked for, even once past") {
    // Four servers given back a millisecond apart: the tick for the first closes only it. The
    // event loop reads the clock again after the tick; the next server's deadline may be past
    // by then, and must still be asked for (it once was not, and the pool stayed at three).
    auto s = small(5);
    s.server_idle_timeout = 1s;
    s.min_pool_size = 2;
    PoolState pool(s);
    for (WaiterId w = 1; w <= 4; ++w) pool.request(w, t0);
    for (ServerId id = 100; id < 104; ++id) pool.server_connected(id, false, t0);
    for (ServerId id = 100; id < 104; ++id) pool.release(id, true, t0 + std::chrono::milliseconds(id - 100));
    CHECK(only<CloseServer>(pool.tick(t0 + 1000ms)).size() == 1);
    CHECK(pool.next_deadline() == t0 + 1001ms);
    CHECK(only<CloseServer>(pool.tick(t0 + 1005ms)).size() == 1);  // down to min_pool_size
    CHECK(pool.counts().idle == 2);
    const auto next = pool.next_deadline();  // only the lifetime remains
    REQUIRE(next.has_value());
    CHECK(*next >= t0 + 3600s);
}

TEST_CASE("a deadline the last tick looked at and left alone is not asked for again") {
    auto pool = full_pool_with_a_reserve(1s);
    pool.request(2, t0);  // waits; the reserve may open at t0+1s
    CHECK(pool.next_deadline() == t0 + 1s);
    CHECK(only<OpenServer>(pool.tick(t0 + 1s)).size() == 1);
    pool.request(3, t0 + 1s);  // the reserve is taken: nothing more to do for waiter 3
    pool.tick(t0 + 2s);
    const auto next = pool.next_deadline();
    CHECK((!next || *next > t0 + 2s));
}

TEST_CASE("draining closes idle servers, refuses waiters and closes leased ones on release") {
    PoolState pool(small(2));
    pool.request(1, t0);
    pool.request(2, t0);
    pool.server_connected(100, false, t0);
    pool.server_connected(101, false, t0);
    pool.release(101, true, t0);
    pool.request(3, t0);  // gets 101
    pool.release(101, true, t0);
    pool.request(4, t0);  // gets 101 again; 100 and 101 both active now
    pool.release(100, true, t0);
    auto drained = pool.drain(t0 + 1s);
    CHECK(only<CloseServer>(drained).size() == 1);  // the idle one (100)
    CHECK(only<WaitTimedOut>(pool.request(5, t0 + 1s)).size() == 1);
    CHECK(only<CloseServer>(pool.release(101, true, t0 + 2s)).size() == 1);
    CHECK(pool.counts().total() == 0);
}

TEST_CASE("a waiter that leaves is not served") {
    PoolState pool(small(1));
    pool.request(1, t0);
    pool.request(2, t0);
    pool.cancel(1, t0);
    CHECK(only<Grant>(pool.server_connected(100, false, t0))[0].waiter == 2);
}

TEST_CASE("a lost server frees its place for waiters") {
    PoolState pool(small(1));
    pool.request(1, t0);
    pool.server_connected(100, false, t0);
    pool.request(2, t0);
    CHECK(only<OpenServer>(pool.server_lost(100, t0 + 1s)).size() == 1);
}

TEST_CASE("an open refused by a shared limit leaves the waiter waiting and is asked again later") {
    PoolState pool(small(2));
    auto first = only<OpenServer>(pool.request(1, t0));
    REQUIRE(first.size() == 1);
    CHECK_FALSE(first[0].warm);
    pool.server_open_refused(first[0].reserve, t0);
    CHECK(pool.counts().connecting == 0);
    CHECK(pool.counts().waiting == 1);
    // No server_login_retry pause: the next tick asks again at once.
    CHECK(only<OpenServer>(pool.tick(t0 + 1ms)).size() == 1);
    CHECK(only<Grant>(pool.server_connected(100, false, t0 + 2ms)).size() == 1);
}

TEST_CASE("opens for min_pool_size are marked warm") {
    PoolSettings s = small(4);
    s.min_pool_size = 2;
    PoolState pool(s);
    auto opens = only<OpenServer>(pool.tick(t0));
    REQUIRE(opens.size() == 2);
    CHECK(opens[0].warm);
    CHECK(opens[1].warm);
}

TEST_CASE("a server idle for server_check_delay is checked before it is lent, a fresh one is not") {
    PoolSettings s = small(2);
    s.server_check_delay = 10s;
    PoolState pool(s);
    pool.request(1, t0);
    auto fresh = only<Grant>(pool.server_connected(100, false, t0));
    REQUIRE(fresh.size() == 1);
    CHECK_FALSE(fresh[0].check);  // its login just proved it works
    pool.release(100, true, t0 + 1s);
    auto soon = only<Grant>(pool.request(2, t0 + 5s));
    REQUIRE(soon.size() == 1);
    CHECK_FALSE(soon[0].check);  // idle 4 s
    pool.release(100, true, t0 + 6s);
    auto later = only<Grant>(pool.request(3, t0 + 16s));
    REQUIRE(later.size() == 1);
    CHECK(later[0].check);  // idle 10 s

    SUBCASE("an empty server_check_query turns checks off") {
        s.server_check_query.clear();
        pool.reconfigure(s);
        pool.release(100, true, t0 + 17s);
        CHECK_FALSE(only<Grant>(pool.request(4, t0 + 60s))[0].check);
    }
    SUBCASE("a delay of 0 checks every reuse") {
        s.server_check_delay = 0s;
        pool.reconfigure(s);
        pool.release(100, true, t0 + 17s);
        CHECK(only<Grant>(pool.request(4, t0 + 17s))[0].check);
    }
}

TEST_CASE("evict_idle closes the least recently used idle server, nothing when none is idle") {
    PoolState pool(small(3));
    CHECK(pool.evict_idle(t0).empty());
    pool.request(1, t0);
    pool.request(2, t0);
    pool.server_connected(100, false, t0);
    pool.server_connected(101, false, t0);
    pool.release(101, true, t0 + 1s);
    pool.release(100, true, t0 + 2s);
    auto closes = only<CloseServer>(pool.evict_idle(t0 + 3s));
    REQUIRE(closes.size() == 1);
    CHECK(closes[0].server == 101);
    CHECK(pool.counts().idle == 1);
    CHECK(pool.counts().total() == 1);
}
