// Tests for vrrp/virtual_router.hpp: every transition of RFC 5798 §6.4 from a table, the
// timers of v2 and v3, elections, preemption, Fault and the address owner, with an
// injected clock. Several routers together: virtual_router_lan_test.cpp.
#include "vrrp/virtual_router.hpp"

#include <doctest/doctest.h>

#include <string>

#include "vrrp_test_support.hpp"

namespace pgfront::vrrp {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;
using test::all;
using test::describe;

const TimePoint kT0 = TimePoint{} + std::chrono::hours(1);
const IpAddress kSelf = IpAddress::v4(198, 18, 0, 5);
const IpAddress kHigherAddress = IpAddress::v4(198, 18, 0, 9);
const IpAddress kLowerAddress = IpAddress::v4(198, 18, 0, 3);

RouterSettings v3_settings(std::uint8_t priority = 100) {
    RouterSettings s;
    s.interface = "eth0";
    s.addresses = {*VirtualAddress::parse("198.18.0.100/24")};
    s.vrid = 51;
    s.priority = priority;
    s.version = Version::v3;
    s.advert_interval = milliseconds(100);
    return s;
}

RouterSettings v2_settings(std::uint8_t priority = 100) {
    RouterSettings s = v3_settings(priority);
    s.version = Version::v2;
    s.advert_interval = seconds(1);
    return s;
}

AdvertReceived advert(std::uint8_t priority, IpAddress from = kHigherAddress,
                      Interval interval = milliseconds(100)) {
    return {from, priority, interval};
}

std::optional<TimePoint> last_timer(const Actions& actions) {
    const auto timers = all<SetTimer>(actions);
    if (timers.empty()) return std::nullopt;
    return timers.back().when;
}

// Where a table row starts.
enum class Start { initialize, initialize_faulted, backup, master, fault };

// Drives a fresh router into `start`; returns the time it got there.
TimePoint enter(VirtualRouter& r, Start start) {
    switch (start) {
        case Start::initialize:
            return kT0;
        case Start::initialize_faulted:
            r.on_fault(true, kT0);
            return kT0;
        case Start::backup:
            r.on_startup(kT0);
            return kT0;
        case Start::master: {
            r.on_startup(kT0);
            const TimePoint t = r.state() == State::master ? kT0 : *r.next_deadline();
            r.on_timer(t);
            return t;
        }
        case Start::fault:
            r.on_startup(kT0);
            r.on_fault(true, kT0);
            return kT0;
    }
    return kT0;
}

}  // namespace

// RFC 5798 §6.4 as a table: from a state, one event, the actions in order, the new state.
TEST_CASE("every transition of RFC 5798 section 6.4") {
    struct Row {
        const char* name;
        Start start;
        Event event;
        Interval after;  // since entering the start state
        const char* actions;
        State end;
        std::uint8_t priority = 100;
        bool preempt = true;
        bool lower_prio_no_advert = false;
    };
    const Interval mdi = microseconds(360937);  // 3 × 100 ms + 60.937 ms
    const Interval adv = milliseconds(100);
    const Row rows[] = {
        // §6.4.1 Initialize
        {"(100)-(165) startup, not owner: Backup",
         Start::initialize,
         Startup{},
         {},
         "state(initialize->backup,startup) timer",
         State::backup},
        {"(105)-(145) startup, owner: Master at once",
         Start::initialize,
         Startup{},
         {},
         "state(initialize->master,address_owner_startup) advert(255) vip+ garp(5) timer",
         State::master,
         255},
        {"startup while faulted: Fault",
         Start::initialize_faulted,
         Startup{},
         {},
         "state(initialize->fault,fault)",
         State::fault},
        {"shutdown in Initialize: nothing",
         Start::initialize,
         Shutdown{},
         {},
         "",
         State::initialize},
        {"advert in Initialize: not listening",
         Start::initialize,
         advert(100),
         {},
         "discard(not_active)",
         State::initialize},
        {"timer in Initialize: nothing pending",
         Start::initialize,
         TimerFired{},
         {},
         "notimer",
         State::initialize},
        // §6.4.2 Backup
        {"(345)-(355) shutdown: cancel Master_Down_Timer",
         Start::backup,
         Shutdown{},
         {},
         "state(backup->initialize,shutdown) notimer",
         State::initialize},
        {"(365)-(410) Master_Down_Timer fires: advert, GARP, Master", Start::backup, TimerFired{},
         mdi, "state(backup->master,master_down_timer) advert(100) vip+ garp(5) timer",
         State::master},
        {"early timer: re-armed, nothing else", Start::backup, TimerFired{}, mdi - microseconds(1),
         "timer", State::backup},
        {"(425)-(430) priority 0: Master_Down_Timer = Skew_Time",
         Start::backup,
         advert(0),
         {},
         "timer",
         State::backup},
        {"(445)-(460) higher priority: reset timer", Start::backup, advert(200), milliseconds(50),
         "timer", State::backup},
        {"(445)-(460) equal priority: reset timer", Start::backup, advert(100), milliseconds(50),
         "timer", State::backup},
        {"(470) lower priority with preempt: discard", Start::backup, advert(50), milliseconds(50),
         "discard(preempt)", State::backup},
        {"(445) lower priority, nopreempt: reset timer", Start::backup, advert(50),
         milliseconds(50), "timer", State::backup, 100, false},
        {"own advert: discarded",
         Start::backup,
         advert(100, kSelf),
         {},
         "discard(own_advert)",
         State::backup},
        {"fault: Backup to Fault",
         Start::backup,
         FaultChanged{true},
         {},
         "state(backup->fault,fault) notimer",
         State::fault},
        {"priority change in Backup: nothing to send",
         Start::backup,
         PriorityChanged{150},
         {},
         "",
         State::backup},
        // §6.4.3 Master
        {"(655)-(670) shutdown: priority 0 advert, address removed",
         Start::master,
         Shutdown{},
         {},
         "state(master->initialize,shutdown) advert(0) vip- notimer",
         State::initialize},
        {"(680)-(690) Adver_Timer: advert, re-armed", Start::master, TimerFired{}, adv,
         "advert(100) timer", State::master},
        {"(705)-(715) priority 0: advert at once", Start::master, advert(0), milliseconds(30),
         "advert(100) timer", State::master},
        {"(725)-(760) higher priority: Backup", Start::master, advert(101), milliseconds(30),
         "state(master->backup,higher_priority) vip- timer", State::backup},
        {"(735)-(760) same priority, higher address: Backup", Start::master,
         advert(100, kHigherAddress), milliseconds(30),
         "state(master->backup,higher_address) vip- timer", State::backup},
        {"(770) same priority, lower address: discard (keepalived answers)", Start::master,
         advert(100, kLowerAddress), milliseconds(30), "discard(lower_priority) advert(100)",
         State::master},
        {"(770) lower priority: discard (keepalived answers)", Start::master, advert(99),
         milliseconds(30), "discard(lower_priority) advert(100)", State::master},
        {"(770) lower priority, lower_prio_no_advert: RFC discard only", Start::master, advert(99),
         milliseconds(30), "discard(lower_priority)", State::master, 100, true, true},
        {"own advert looped back: no answer",
         Start::master,
         advert(100, kSelf),
         {},
         "discard(own_advert)",
         State::master},
        {"two address owners: the higher address stays Master (erratum 8298)",
         Start::master,
         advert(255, kHigherAddress),
         {},
         "misconfigured(advert_to_address_owner) state(master->backup,higher_address) vip- timer",
         State::backup,
         255},
        {"fault: leave with priority 0, remove address",
         Start::master,
         FaultChanged{true},
         {},
         "state(master->fault,fault) advert(0) vip- notimer",
         State::fault},
        {"priority change in Master: advert at once", Start::master, PriorityChanged{150},
         milliseconds(10), "advert(150) timer", State::master},
        // Fault
        {"fault cleared: Backup", Start::fault, FaultChanged{false}, seconds(1),
         "state(fault->backup,fault_cleared) timer", State::backup},
        {"fault cleared, owner: Master", Start::fault, FaultChanged{false}, seconds(1),
         "state(fault->master,address_owner_startup) advert(255) vip+ garp(5) timer", State::master,
         255},
        {"advert in Fault: not listening",
         Start::fault,
         advert(100),
         {},
         "discard(not_active)",
         State::fault},
        {"shutdown in Fault",
         Start::fault,
         Shutdown{},
         {},
         "state(fault->initialize,shutdown)",
         State::initialize},
        {"startup in Fault: ignored", Start::fault, Startup{}, {}, "", State::fault},
        {"fault again in Fault: nothing", Start::fault, FaultChanged{true}, {}, "", State::fault},
    };
    for (const auto& row : rows) {
        CAPTURE(std::string(row.name));
        RouterSettings s = v3_settings(row.priority);
        s.preempt = row.preempt;
        s.lower_prio_no_advert = row.lower_prio_no_advert;
        VirtualRouter r(s, kSelf);
        const TimePoint entered = enter(r, row.start);
        const Actions actions = r.handle(row.event, entered + row.after);
        CHECK(describe(actions) == row.actions);
        CHECK(r.state() == row.end);
    }
}

TEST_CASE("v3 timers: Backup waits Master_Down_Interval, Master advertises every interval") {
    VirtualRouter r(v3_settings(), kSelf);
    CHECK(r.state() == State::initialize);
    auto out = r.on_startup(kT0);
    CHECK(r.master_adver_interval() == milliseconds(100));
    CHECK(r.skew_time() == microseconds(60937));
    CHECK(r.master_down_interval() == microseconds(360937));
    CHECK(last_timer(out) == kT0 + microseconds(360937));
    CHECK(r.next_deadline() == kT0 + microseconds(360937));
    CHECK(!r.master_address());

    const TimePoint t1 = kT0 + microseconds(360937);
    out = r.on_timer(t1);
    CHECK(r.state() == State::master);
    CHECK(r.master_address() == kSelf);
    CHECK(last_timer(out) == t1 + milliseconds(100));
    out = r.on_timer(t1 + milliseconds(100));
    CHECK(all<SendAdvert>(out).size() == 1);
    CHECK(last_timer(out) == t1 + milliseconds(200));
    // A late timer (CPU stall) sends one advert and keeps the cadence from now, no burst.
    out = r.on_timer(t1 + milliseconds(750));
    CHECK(all<SendAdvert>(out).size() == 1);
    CHECK(last_timer(out) == t1 + milliseconds(850));
}

TEST_CASE("v2 timers use the configured interval; a Backup does not learn another") {
    VirtualRouter r(v2_settings(), kSelf);
    auto out = r.on_startup(kT0);
    CHECK(last_timer(out) == kT0 + microseconds(3609375));
    // (v2 adverts with another interval are dropped by receive_advert; even if one got
    // here, Master_Adver_Interval stays ours.)
    out = r.on_advert(advert(200, kHigherAddress, seconds(2)), kT0 + seconds(1));
    CHECK(r.master_adver_interval() == seconds(1));
    CHECK(last_timer(out) == kT0 + seconds(1) + microseconds(3609375));
    CHECK(r.master_address() == kHigherAddress);
    CHECK(r.master_priority() == 200);
}

TEST_CASE("v3 Backup learns Master_Adver_Interval from the Master (§6.4.2 (450))") {
    VirtualRouter r(v3_settings(), kSelf);
    r.on_startup(kT0);
    auto out = r.on_advert(advert(200, kHigherAddress, milliseconds(200)), kT0);
    CHECK(r.master_adver_interval() == milliseconds(200));
    // 3 × 200 ms + (156 × 200 ms) / 256
    CHECK(r.master_down_interval() == microseconds(721875));
    CHECK(last_timer(out) == kT0 + microseconds(721875));
    // A lower-priority (discarded) advert teaches nothing.
    out = r.on_advert(advert(50, kLowerAddress, milliseconds(1000)), kT0 + milliseconds(10));
    CHECK(r.master_adver_interval() == milliseconds(200));
    // Master → Backup learns it too (§6.4.3 (745)).
    VirtualRouter m(v3_settings(), kSelf);
    enter(m, Start::master);
    m.on_advert(advert(200, kHigherAddress, milliseconds(30)), kT0 + seconds(1));
    CHECK(m.master_adver_interval() == milliseconds(30));
    // On becoming Master again the router sends at its own Advertisement_Interval.
    const auto t = *m.next_deadline();
    out = m.on_timer(t);
    CHECK(m.state() == State::master);
    CHECK(last_timer(out) == t + milliseconds(100));
}

TEST_CASE("priority 0 from the Master: take over after Skew_Time (§6.4.2 (430))") {
    SUBCASE("v2, lab: 0.68 s after SIGTERM") {
        VirtualRouter r(v2_settings(), kSelf);
        r.on_startup(kT0);
        r.on_advert(advert(200), kT0 + seconds(1));
        auto out = r.on_advert(advert(0), kT0 + seconds(2));
        CHECK(last_timer(out) == kT0 + seconds(2) + microseconds(609375));
        out = r.on_timer(kT0 + seconds(2) + microseconds(609375));
        CHECK(describe(out) ==
              "state(backup->master,master_stopped) advert(100) vip+ garp(5) timer");
    }
    SUBCASE("v3 uses the learned interval for the skew") {
        VirtualRouter r(v3_settings(), kSelf);
        r.on_startup(kT0);
        r.on_advert(advert(200, kHigherAddress, milliseconds(1000)), kT0);
        const auto out = r.on_advert(advert(0), kT0 + seconds(1));
        CHECK(last_timer(out) == kT0 + seconds(1) + microseconds(609375));
    }
    SUBCASE("an advert after the priority 0 one cancels the takeover") {
        VirtualRouter r(v3_settings(), kSelf);
        r.on_startup(kT0);
        r.on_advert(advert(0), kT0);
        r.on_advert(advert(200, kLowerAddress), kT0 + milliseconds(10));
        CHECK(r.next_deadline() == kT0 + milliseconds(10) + microseconds(360937));
        const auto out = r.on_timer(*r.next_deadline());
        CHECK(all<StateChanged>(out).at(0).reason == StateChangeReason::master_down_timer);
    }
}

TEST_CASE("timer reporting: SetTimer only when the deadline moves") {
    VirtualRouter r(v3_settings(), kSelf);
    r.on_startup(kT0);
    // A lower-priority advert is discarded: the deadline does not move, nothing reported.
    auto out = r.on_advert(advert(50), kT0 + milliseconds(10));
    CHECK(describe(out) == "discard(preempt)");
    // A preempt change never touches the timer.
    CHECK(r.on_preempt(true, {}, kT0).empty());
    // The same priority again is a no-op.
    CHECK(r.on_priority(100, kT0).empty());
    // A timer that fires early re-reports the same deadline.
    out = r.on_timer(kT0 + milliseconds(1));
    CHECK(describe(out) == "timer");
    CHECK(last_timer(out) == kT0 + microseconds(360937));
}

TEST_CASE("preempt: a higher-priority Backup takes over from a lower Master") {
    VirtualRouter r(v3_settings(150), kSelf);
    r.on_startup(kT0);
    // The Master (100) keeps advertising; every advert is discarded, so the timer set at
    // startup runs out.
    for (int i = 1; i <= 3; ++i) {
        const auto out = r.on_advert(advert(100), kT0 + milliseconds(100 * i));
        CHECK(describe(out) == "discard(preempt)");
    }
    const auto out = r.on_timer(kT0 + master_down_interval(150, milliseconds(100)));
    CHECK(r.state() == State::master);
    CHECK(all<SendAdvert>(out).at(0).priority == 150);
}

TEST_CASE("nopreempt: a higher-priority Backup stays Backup while the Master lives") {
    RouterSettings s = v3_settings(150);
    s.preempt = false;
    VirtualRouter r(s, kSelf);
    r.on_startup(kT0);
    for (int i = 1; i <= 100; ++i) {
        r.on_advert(advert(100), kT0 + milliseconds(100 * i));
        r.on_timer(kT0 + milliseconds(100 * i + 50));
        CHECK(r.state() == State::backup);
    }
    // The Master dies: after Master_Down_Interval (with our priority's skew) we take over.
    const TimePoint last = kT0 + milliseconds(10000);
    r.on_timer(last + master_down_interval(150, milliseconds(100)));
    CHECK(r.state() == State::master);
}

TEST_CASE("preempt_delay: no preemption of a lower Master until the delay has passed") {
    RouterSettings s = v3_settings(150);
    s.preempt_delay = seconds(10);
    SUBCASE("counted from startup") {
        VirtualRouter r(s, kSelf);
        r.on_startup(kT0);
        CHECK(r.preempt_holdoff_until() == kT0 + seconds(10));
        TimePoint t = kT0;
        TimePoint last_accepted = kT0;
        while (r.state() == State::backup && t < kT0 + seconds(20)) {
            t += milliseconds(100);
            const auto out = r.on_advert(advert(100), t);
            if (!test::has<Discarded>(out)) last_accepted = t;
            r.on_timer(t);
        }
        CHECK(r.state() == State::master);
        // Accepted up to the end of the delay, then discarded; the takeover comes one
        // Master_Down_Interval after the last accepted advert.
        CHECK(last_accepted == kT0 + seconds(10) - milliseconds(100));
        CHECK(t == last_accepted + milliseconds(400));  // first advert time ≥ mdi (341.4 ms)
    }
    SUBCASE("counted from the first lower-priority advert once the startup delay is over") {
        s.preempt_delay = seconds(1);
        VirtualRouter r(s, kSelf);
        r.on_startup(kT0);
        // A higher Master for 5 s: accepted, and it ends the pending delay.
        TimePoint t = kT0;
        for (; t < kT0 + seconds(5); t += milliseconds(100)) r.on_advert(advert(200), t);
        CHECK(!r.preempt_holdoff_until());
        // Its priority drops to 100 (tracked health): a new delay starts now.
        const auto out = r.on_advert(advert(100), t);
        CHECK(describe(out) == "timer");
        CHECK(r.preempt_holdoff_until() == t + seconds(1));
        r.on_advert(advert(100), t + milliseconds(900));
        CHECK(describe(r.on_advert(advert(100), t + seconds(1))) == "discard(preempt)");
    }
    SUBCASE("a higher Master met while Master also restarts the wait") {
        s.preempt_delay = seconds(1);
        VirtualRouter r(s, kSelf);
        r.on_startup(kT0);
        r.on_timer(*r.next_deadline());
        REQUIRE(r.state() == State::master);
        r.on_advert(advert(200), kT0 + seconds(5));
        REQUIRE(r.state() == State::backup);
        CHECK(!r.preempt_holdoff_until());
        r.on_advert(advert(100), kT0 + seconds(6));
        CHECK(r.preempt_holdoff_until() == kT0 + seconds(7));
    }
    SUBCASE("nopreempt ignores the delay") {
        s.preempt = false;
        VirtualRouter r(s, kSelf);
        r.on_startup(kT0);
        CHECK(!r.preempt_holdoff_until());
        CHECK(describe(r.on_advert(advert(100), kT0 + seconds(30))) == "timer");
    }
    SUBCASE("changed at run time") {
        VirtualRouter r(s, kSelf);
        r.on_startup(kT0);
        r.on_preempt(true, {}, kT0 + seconds(1));
        CHECK(!r.preempt_holdoff_until());
        CHECK(describe(r.on_advert(advert(100), kT0 + seconds(1))) == "discard(preempt)");
        r.on_preempt(false, {}, kT0 + seconds(1));
        CHECK(!r.preempt());
        CHECK(describe(r.on_advert(advert(100), kT0 + seconds(1))) == "timer");
    }
    SUBCASE("the delay also follows a Fault") {
        VirtualRouter r(s, kSelf);
        r.on_startup(kT0);
        r.on_fault(true, kT0 + seconds(30));
        CHECK(!r.preempt_holdoff_until());
        r.on_fault(false, kT0 + seconds(40));
        CHECK(r.preempt_holdoff_until() == kT0 + seconds(50));
    }
}

TEST_CASE("Fault: leave and come back") {
    VirtualRouter r(v3_settings(), kSelf);
    enter(r, Start::master);
    CHECK(r.master_address() == kSelf);
    auto out = r.on_fault(true, kT0 + seconds(1));
    CHECK(r.state() == State::fault);
    CHECK(r.faulted());
    CHECK(all<SendAdvert>(out).at(0).priority == 0);
    CHECK(!r.next_deadline());
    CHECK(!r.master_address());
    // Priority changes while faulted are remembered, and used when it clears.
    CHECK(r.on_priority(90, kT0 + seconds(2)).empty());
    out = r.on_fault(false, kT0 + seconds(3));
    CHECK(r.state() == State::backup);
    CHECK(r.priority() == 90);
    CHECK(last_timer(out) == kT0 + seconds(3) + master_down_interval(90, milliseconds(100)));
    // Fault cleared while never faulted: nothing.
    CHECK(r.on_fault(false, kT0 + seconds(4)).empty());
    // Startup after shutdown while faulted goes straight to Fault.
    r.on_fault(true, kT0 + seconds(5));
    r.on_shutdown(kT0 + seconds(6));
    CHECK(r.state() == State::initialize);
    out = r.on_startup(kT0 + seconds(7));
    CHECK(describe(out) == "state(initialize->fault,fault)");
}

TEST_CASE("address owner (priority 255)") {
    VirtualRouter r(v3_settings(255), kSelf);
    auto out = r.on_startup(kT0);
    CHECK(r.state() == State::master);
    CHECK(all<SendAdvert>(out).at(0).priority == 255);
    const std::string note = "misconfigured(advert_to_address_owner) ";
    SUBCASE("adverts are reported and then processed as usual (RFC 9568 erratum 8298)") {
        out = r.on_advert(advert(0), kT0 + milliseconds(10));
        CHECK(describe(out) == note + "advert(255) timer");
        CHECK(all<Misconfigured>(out).at(0).source == kHigherAddress);
        CHECK(describe(r.on_advert(advert(254), kT0 + milliseconds(20))) ==
              note + "discard(lower_priority) advert(255)");
        CHECK(describe(r.on_advert(advert(255, kLowerAddress), kT0 + milliseconds(30))) ==
              note + "discard(lower_priority) advert(255)");
        CHECK(r.state() == State::master);
        // A second owner with a higher address wins, so only one Master remains.
        CHECK(describe(r.on_advert(advert(255, kHigherAddress), kT0 + milliseconds(40))) ==
              note + "state(master->backup,higher_address) vip- timer");
        // As Backup it accepts the other owner's adverts (equal priority).
        CHECK(describe(r.on_advert(advert(255, kHigherAddress), kT0 + milliseconds(140))) ==
              note + "timer");
        CHECK(r.state() == State::backup);
    }
    SUBCASE("tracked health lowers the effective priority: no longer the owner") {
        out = r.on_priority(200, kT0 + seconds(1));
        CHECK(describe(out) == "advert(200) timer");
        out = r.on_advert(advert(250), kT0 + seconds(1));
        CHECK(describe(out) == "state(master->backup,higher_priority) vip- timer");
        // Back to 255 as Backup: it preempts the 250 Master when its timer runs out.
        r.on_priority(255, kT0 + seconds(2));
        CHECK(describe(r.on_advert(advert(250), kT0 + seconds(2))) == note + "discard(preempt)");
        r.on_timer(*r.next_deadline());
        CHECK(r.state() == State::master);
    }
}

TEST_CASE("priority changes") {
    SUBCASE("Backup: a new Skew_Time from the next reset") {
        VirtualRouter r(v3_settings(), kSelf);
        r.on_startup(kT0);
        r.on_priority(200, kT0);
        CHECK(r.next_deadline() == kT0 + microseconds(360937));
        r.on_advert(advert(250), kT0 + milliseconds(10));
        CHECK(r.next_deadline() ==
              kT0 + milliseconds(10) + master_down_interval(200, milliseconds(100)));
    }
    SUBCASE("0 is read as 1") {
        VirtualRouter r(v3_settings(), kSelf);
        r.on_priority(0, kT0);
        CHECK(r.priority() == 1);
    }
    SUBCASE("Master: the new priority goes out at once and decides elections") {
        VirtualRouter r(v3_settings(), kSelf);
        enter(r, Start::master);
        r.on_priority(80, kT0 + seconds(1));
        CHECK(r.master_priority() == 80);
        const auto out = r.on_advert(advert(90, kLowerAddress), kT0 + seconds(1));
        CHECK(all<StateChanged>(out).at(0).reason == StateChangeReason::higher_priority);
    }
}

TEST_CASE("gratuitous ARP: a burst on takeover and another garp_master_delay later") {
    SUBCASE("second burst at +5 s while still Master") {
        VirtualRouter r(v3_settings(), kSelf);
        const TimePoint tm = enter(r, Start::master);
        unsigned bursts = 0;
        unsigned adverts = 0;
        TimePoint t = tm;
        while (t < tm + seconds(6)) {
            t = *r.next_deadline();
            const auto out = r.on_timer(t);
            for (const auto& g : all<SendGratuitousArp>(out)) {
                CHECK(g.count == 5);
                CHECK(t == tm + seconds(5));
                ++bursts;
            }
            adverts += static_cast<unsigned>(all<SendAdvert>(out).size());
        }
        CHECK(bursts == 1);
        CHECK(adverts >= 59);
    }
    SUBCASE("no second burst after leaving Master") {
        VirtualRouter r(v3_settings(), kSelf);
        const TimePoint tm = enter(r, Start::master);
        for (TimePoint t = tm + seconds(1); t < tm + seconds(10); t += milliseconds(50)) {
            r.on_advert(advert(200), t);
            CHECK(!test::has<SendGratuitousArp>(r.on_timer(t)));
        }
        CHECK(r.state() == State::backup);
    }
    SUBCASE("garp_master_delay 0: one burst only") {
        RouterSettings s = v3_settings();
        s.garp_master_delay = {};
        s.garp_master_repeat = 3;
        VirtualRouter r(s, kSelf);
        r.on_startup(kT0);
        const auto out = r.on_timer(*r.next_deadline());
        CHECK(all<SendGratuitousArp>(out).at(0).count == 3);
        CHECK(r.next_deadline() == *last_timer(out));
        for (int i = 0; i < 100; ++i) {
            CHECK(!test::has<SendGratuitousArp>(r.on_timer(*r.next_deadline())));
        }
    }
}

TEST_CASE("handle() dispatches every event kind") {
    VirtualRouter r(v3_settings(), kSelf);
    CHECK(!r.handle(Startup{}, kT0).empty());
    CHECK(r.handle(PreemptChanged{false, seconds(1)}, kT0).empty());
    CHECK(!r.preempt());
    CHECK(r.handle(PriorityChanged{120}, kT0).empty());
    CHECK(r.priority() == 120);
    CHECK(!r.handle(TimerFired{}, kT0 + seconds(1)).empty());
    CHECK(r.state() == State::master);
    CHECK(!r.handle(advert(0), kT0 + seconds(1)).empty());
    CHECK(!r.handle(FaultChanged{true}, kT0 + seconds(2)).empty());
    CHECK(!r.handle(Shutdown{}, kT0 + seconds(3)).empty());
    CHECK(r.state() == State::initialize);
}

TEST_CASE("names") {
    CHECK(to_string(Misconfiguration::advert_to_address_owner) == "advert_to_address_owner");
    CHECK(to_string(State::master) == "master");
    CHECK(to_string(StateChangeReason::higher_address) == "higher_address");
    CHECK(to_string(DiscardReason::preempt) == "preempt");
}

}  // namespace pgfront::vrrp
