// Idle client timeouts: which wait is closed after which timeout, with which SQLSTATE, and
// how often the sweep looks.
#include "proxy/client_idle.hpp"

#include <doctest/doctest.h>

using namespace pgfront::proxy;
using namespace std::chrono_literals;

TEST_CASE(
    "idle clients expire after client_idle_timeout, idle transactions after "
    "idle_transaction_timeout") {
    const IdleTimeouts t{10s, 2s};
    CHECK_FALSE(idle_expiry(ClientWait::idle, 9999ms, t));
    auto idle = idle_expiry(ClientWait::idle, 10s, t);
    REQUIRE(idle);
    CHECK(idle->sqlstate == "57P05");
    CHECK(idle->message.find("pool.client_idle_timeout") != std::string_view::npos);
    CHECK_FALSE(idle_expiry(ClientWait::idle_in_transaction, 1999ms, t));
    auto in_tx = idle_expiry(ClientWait::idle_in_transaction, 2s, t);
    REQUIRE(in_tx);
    CHECK(in_tx->sqlstate == "25P03");
    CHECK_FALSE(idle_expiry(ClientWait::busy, 1h, t));
}

TEST_CASE("a timeout of 0 is off") {
    const IdleTimeouts off{};
    CHECK_FALSE(off.any());
    CHECK_FALSE(idle_expiry(ClientWait::idle, 24h, off));
    CHECK_FALSE(idle_expiry(ClientWait::idle_in_transaction, 24h, off));
    const IdleTimeouts only_tx{0s, 1s};
    CHECK(only_tx.any());
    CHECK_FALSE(idle_expiry(ClientWait::idle, 24h, only_tx));
}

TEST_CASE("the sweep runs at a quarter of the shortest timeout, within 25 ms and 1 s") {
    CHECK(idle_sweep_interval({8s, 2s}) == 500ms);
    CHECK(idle_sweep_interval({60s, 0s}) == 1s);
    CHECK(idle_sweep_interval({0s, 40ms}) == 25ms);
    CHECK(idle_sweep_interval({}) == 1s);
}
