// Shared connection limits: counting, refusing at the limit, both-or-none tokens that give
// their share back, and the limit holding when threads race for it.
#include "pool/connection_quota.hpp"

#include <doctest/doctest.h>

#include <thread>
#include <vector>

using namespace pgfront::pool;

TEST_CASE("a quota refuses at its limit and counts without one") {
    ConnectionQuota q;
    for (int i = 0; i < 100; ++i) CHECK(q.try_take());  // 0: no limit
    CHECK(q.in_use() == 100);
    q.set_limit(101);
    CHECK(q.try_take());
    CHECK_FALSE(q.try_take());
    q.give_back();
    CHECK(q.try_take());
    q.set_limit(50);  // lowered below the count: nothing more until enough give back
    CHECK_FALSE(q.try_take());
    CHECK(q.in_use() == 101);
}

TEST_CASE("tokens take both shares or none, and give them back when destroyed") {
    auto db = std::make_shared<ConnectionQuota>();
    auto user = std::make_shared<ConnectionQuota>();
    db->set_limit(2);
    user->set_limit(1);
    {
        auto first = QuotaTokens::take(db, user);
        REQUIRE(first);
        CHECK(db->in_use() == 1);
        CHECK(user->in_use() == 1);
        // The user quota is full: the database share taken on the way is given back.
        CHECK_FALSE(QuotaTokens::take(db, user));
        CHECK(db->in_use() == 1);
        auto moved = std::move(*first);
        CHECK(db->in_use() == 1);
    }
    CHECK(db->in_use() == 0);
    CHECK(user->in_use() == 0);
    CHECK(QuotaTokens::take(nullptr, nullptr));  // no quotas: no limit
}

TEST_CASE("the table hands out one quota per name while it is in use") {
    QuotaTable table;
    auto a = table.database("appdb");
    CHECK(a == table.database("appdb"));
    CHECK(a != table.user("appdb"));
    CHECK(a != table.database("other"));
    std::weak_ptr<ConnectionQuota> gone = table.database("short-lived");
    CHECK(gone.expired());
}

TEST_CASE("racing threads never exceed the limit") {
    auto q = std::make_shared<ConnectionQuota>();
    q->set_limit(7);
    std::atomic<int> peak{0}, held{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 20000; ++i) {
                auto tokens = QuotaTokens::take(q, nullptr);
                if (!tokens) continue;
                const int now = held.fetch_add(1) + 1;
                int seen = peak.load();
                while (now > seen && !peak.compare_exchange_weak(seen, now)) {
                }
                held.fetch_sub(1);
            }
        });
    for (auto& t : threads) t.join();
    CHECK(peak.load() <= 7);
    CHECK(q->in_use() == 0);
}

TEST_CASE("starvation is counted per pool and cleared") {
    ConnectionQuota q;
    CHECK_FALSE(q.starved());
    q.add_starved(1);
    q.add_starved(1);
    CHECK(q.starved());
    q.add_starved(-1);
    CHECK(q.starved());
    q.add_starved(-1);
    CHECK_FALSE(q.starved());
}
