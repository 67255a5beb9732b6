// Tests for vip/health_coupling.hpp: no_primary_after, weights versus Fault, listeners and
// the interface, several conditions at once, settings changes; time is injected.
#include "vip/health_coupling.hpp"

#include <doctest/doctest.h>

namespace pgfront::vip {
namespace {

using std::chrono::milliseconds;
const vrrp::TimePoint kT0 = vrrp::TimePoint{} + std::chrono::hours(1);

CouplingSettings fault_settings() {
    CouplingSettings s;
    s.base_priority = 150;
    s.no_primary_after = milliseconds(3000);
    s.no_primary = {true, 0};
    s.listeners_down = {true, 0};
    return s;
}

CouplingSettings weight_settings() {
    CouplingSettings s = fault_settings();
    s.no_primary = {false, -60};
    s.listeners_down = {false, -100};
    return s;
}

TEST_CASE("starts healthy at the configured priority, counting 'no primary' from startup") {
    HealthCoupling c(fault_settings(), kT0);
    CHECK(c.verdict() == CouplingVerdict{150, false, {}});
    REQUIRE(c.next_deadline());
    CHECK(*c.next_deadline() == kT0 + milliseconds(3000));
    CHECK_FALSE(c.on_timer(kT0 + milliseconds(2999)));
    CHECK(c.on_timer(kT0 + milliseconds(3000)));
    CHECK(c.verdict() == CouplingVerdict{150, true, {"no_primary"}});
    CHECK_FALSE(c.next_deadline());
}

TEST_CASE("a primary seen before no_primary_after keeps the router healthy") {
    HealthCoupling c(fault_settings(), kT0);
    CHECK_FALSE(c.on_primary(true, kT0 + milliseconds(400)));
    CHECK_FALSE(c.next_deadline());
    CHECK_FALSE(c.on_timer(kT0 + milliseconds(5000)));
    CHECK(c.verdict().conditions.empty());
}

TEST_CASE("losing the primary applies after no_primary_after, from the moment it was lost") {
    HealthCoupling c(fault_settings(), kT0);
    c.on_primary(true, kT0);
    CHECK_FALSE(c.on_primary(false, kT0 + milliseconds(10000)));
    CHECK(*c.no_primary_since() == kT0 + milliseconds(10000));
    // A second "no primary" snapshot does not restart the clock.
    CHECK_FALSE(c.on_primary(false, kT0 + milliseconds(11000)));
    CHECK(*c.next_deadline() == kT0 + milliseconds(13000));
    CHECK_FALSE(c.on_timer(kT0 + milliseconds(12999)));
    CHECK(c.on_timer(kT0 + milliseconds(13000)));
    CHECK(c.verdict().fault);
    // The primary is back: healthy at once (no rise delay here; health/ has fall/rise).
    CHECK(c.on_primary(true, kT0 + milliseconds(14000)));
    CHECK(c.verdict() == CouplingVerdict{150, false, {}});
}

TEST_CASE("a blip shorter than no_primary_after changes nothing") {
    HealthCoupling c(fault_settings(), kT0);
    c.on_primary(true, kT0);
    c.on_primary(false, kT0 + milliseconds(1000));
    CHECK_FALSE(c.on_primary(true, kT0 + milliseconds(3999)));
    CHECK_FALSE(c.on_timer(kT0 + milliseconds(4000)));
    CHECK_FALSE(c.verdict().fault);
}

TEST_CASE("no_primary_after 0 applies at once") {
    auto s = fault_settings();
    s.no_primary_after = milliseconds(0);
    HealthCoupling c(s, kT0);
    CHECK(c.verdict().fault);
    c.on_primary(true, kT0);
    CHECK_FALSE(c.verdict().fault);
    CHECK(c.on_primary(false, kT0 + milliseconds(1)));
    CHECK(c.verdict().fault);
}

TEST_CASE("weights lower the priority instead of Fault, and add up") {
    HealthCoupling c(weight_settings(), kT0);
    c.on_primary(true, kT0);
    CHECK(c.on_listeners(false, kT0));
    CHECK(c.verdict() == CouplingVerdict{50, false, {"listeners_down"}});
    c.on_primary(false, kT0 + milliseconds(1));
    CHECK(c.on_timer(kT0 + milliseconds(3001)));
    // 150 - 60 - 100 clamps to 1: 0 would mean "leaving".
    CHECK(c.verdict() == CouplingVerdict{1, false, {"no_primary", "listeners_down"}});
    CHECK(c.on_listeners(true, kT0 + milliseconds(4000)));
    CHECK(c.verdict() == CouplingVerdict{90, false, {"no_primary"}});
}

TEST_CASE("weight 0 only reports the condition") {
    auto s = fault_settings();
    s.no_primary = {false, 0};
    HealthCoupling c(s, kT0);
    CHECK(c.on_timer(kT0 + milliseconds(3000)));
    CHECK(c.verdict() == CouplingVerdict{150, false, {"no_primary"}});
}

TEST_CASE("the interface going down is always Fault, whatever the weights") {
    HealthCoupling c(weight_settings(), kT0);
    c.on_primary(true, kT0);
    CHECK(c.on_interface(false, kT0));
    CHECK(c.verdict() == CouplingVerdict{150, true, {"interface_down"}});
    CHECK(c.on_interface(true, kT0));
    CHECK(c.verdict() == CouplingVerdict{150, false, {}});
}

TEST_CASE("listeners down with Fault, and Fault wins over a weight") {
    auto s = weight_settings();
    s.listeners_down = {true, 0};
    HealthCoupling c(s, kT0);
    c.on_primary(false, kT0);
    CHECK(c.on_listeners(false, kT0));
    CHECK(c.verdict().fault);
    CHECK(c.on_timer(kT0 + milliseconds(3000)));
    CHECK(c.verdict() == CouplingVerdict{90, true, {"no_primary", "listeners_down"}});
}

TEST_CASE("an owner (255) that loses weight is no longer 255") {
    auto s = weight_settings();
    s.base_priority = 255;
    HealthCoupling c(s, kT0);
    CHECK(c.verdict().priority == 255);
    c.on_timer(kT0 + milliseconds(3000));
    CHECK(c.verdict().priority == 195);
}

TEST_CASE("new settings apply at once: priority, weights and no_primary_after") {
    HealthCoupling c(fault_settings(), kT0);
    c.on_primary(false, kT0);
    auto s = weight_settings();
    s.base_priority = 120;
    s.no_primary_after = milliseconds(1000);
    CHECK(c.on_settings(s, kT0 + milliseconds(1500)));
    CHECK(c.verdict() == CouplingVerdict{60, false, {"no_primary"}});
    s.no_primary_after = milliseconds(10000);
    CHECK(c.on_settings(s, kT0 + milliseconds(1600)));
    CHECK(c.verdict() == CouplingVerdict{120, false, {}});
    CHECK(*c.next_deadline() == kT0 + milliseconds(10000));
}

}  // namespace
}  // namespace pgfront::vip
