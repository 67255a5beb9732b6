// Tests for vrrp/virtual_router.hpp on a simulated LAN: several routers exchanging adverts
// with an injected clock, reproducing elections, split brain and the lab's takeover times.
#include <doctest/doctest.h>

#include <deque>
#include <string>

#include "vrrp/virtual_router.hpp"
#include "vrrp_test_support.hpp"

namespace pgfront::vrrp {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kT0 = TimePoint{} + std::chrono::hours(1);

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

// Adverts are delivered at once to every running router.
class Lan {
  public:
    struct Node {
        VirtualRouter router;
        std::optional<TimePoint> timer;
        bool running = true;    // false: killed (SIGKILL): no timers, sends and hears nothing
        bool isolated = false;  // partitioned: timers run, adverts neither leave nor arrive
        bool vip = false;
    };

    void add(const RouterSettings& settings, IpAddress address) {
        nodes_.push_back({VirtualRouter(settings, address), {}, true, false, false});
    }
    Node& node(std::size_t i) { return nodes_[i]; }
    TimePoint now() const { return now_; }

    void start_all(TimePoint t) {
        now_ = t;
        for (std::size_t i = 0; i < nodes_.size(); ++i) apply(i, nodes_[i].router.on_startup(t));
        deliver();
    }
    void kill(std::size_t i) { nodes_[i].running = false; }
    void shutdown(std::size_t i) {
        apply(i, nodes_[i].router.on_shutdown(now_));
        deliver();
        nodes_[i].running = false;
    }
    void event(std::size_t i, const Event& e) {
        apply(i, nodes_[i].router.handle(e, now_));
        deliver();
    }

    // Runs timers until `end`; returns how long more than one router held the VIP.
    Interval run_until(TimePoint end) {
        Interval dual{};
        while (true) {
            std::optional<std::size_t> next;
            for (std::size_t i = 0; i < nodes_.size(); ++i) {
                const auto& n = nodes_[i];
                if (n.running && n.timer && (!next || *n.timer < *nodes_[*next].timer)) next = i;
            }
            const TimePoint t = next && *nodes_[*next].timer <= end ? *nodes_[*next].timer : end;
            if (vip_holders() > 1) dual += std::chrono::duration_cast<Interval>(t - now_);
            now_ = t;
            if (t == end) return dual;
            apply(*next, nodes_[*next].router.on_timer(now_));
            deliver();
        }
    }

    // Runs until `limit`; returns when a router other than `except` first became Master.
    std::optional<TimePoint> run_until_new_master(std::size_t except, TimePoint limit) {
        const TimePoint from = now_;
        run_until(limit);
        for (const auto& [who, when] : takeovers_) {
            if (who != except && when >= from) return when;
        }
        return std::nullopt;
    }

    std::size_t vip_holders() const {
        std::size_t n = 0;
        for (const auto& node : nodes_) n += node.vip ? 1 : 0;  // a killed one keeps it (lab)
        return n;
    }
    std::optional<std::size_t> only_master() const {
        std::optional<std::size_t> found;
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
            if (nodes_[i].running && nodes_[i].router.state() == State::master) {
                if (found) return std::nullopt;
                found = i;
            }
        }
        return found;
    }

  private:
    void apply(std::size_t i, const Actions& actions) {
        Node& n = nodes_[i];
        for (const auto& a : actions) {
            if (const auto* send = std::get_if<SendAdvert>(&a)) {
                if (!n.running || n.isolated) continue;
                for (std::size_t j = 0; j < nodes_.size(); ++j) {
                    if (j == i) continue;
                    queue_.push_back({j, AdvertReceived{n.router.primary_address(), send->priority,
                                                        n.router.advertisement_interval()}});
                }
            } else if (const auto* change = std::get_if<StateChanged>(&a)) {
                if (change->to == State::master) takeovers_.emplace_back(i, now_);
            } else if (std::holds_alternative<AddVip>(a)) {
                CHECK_FALSE(n.vip);
                n.vip = true;
            } else if (std::holds_alternative<RemoveVip>(a)) {
                CHECK(n.vip);
                n.vip = false;
            } else if (const auto* set = std::get_if<SetTimer>(&a)) {
                CHECK(set->when >= now_);
                n.timer = set->when;
            } else if (std::holds_alternative<CancelTimer>(a)) {
                n.timer.reset();
            }
        }
    }
    void deliver() {
        while (!queue_.empty()) {
            const auto [to, adv] = queue_.front();
            queue_.pop_front();
            if (nodes_[to].running && !nodes_[to].isolated) {
                apply(to, nodes_[to].router.on_advert(adv, now_));
            }
        }
    }

    std::vector<Node> nodes_;
    std::deque<std::pair<std::size_t, AdvertReceived>> queue_;
    std::vector<std::pair<std::size_t, TimePoint>> takeovers_;
    TimePoint now_ = kT0;
};

const IpAddress kH1 = IpAddress::v4(198, 18, 0, 1);
const IpAddress kH2 = IpAddress::v4(198, 18, 0, 2);
const IpAddress kH3 = IpAddress::v4(198, 18, 0, 3);

}  // namespace

TEST_CASE("LAN: the highest priority wins and one Master remains") {
    Lan lan;
    lan.add(v3_settings(100), kH1);
    lan.add(v3_settings(150), kH2);
    lan.add(v3_settings(120), kH3);
    lan.start_all(kT0);
    const Interval dual = lan.run_until(kT0 + seconds(5));
    CHECK(lan.only_master() == std::optional<std::size_t>(1));
    CHECK(lan.vip_holders() == 1);
    CHECK(dual == Interval::zero());
    CHECK(lan.node(0).router.master_address() == kH2);
    CHECK(lan.node(2).router.master_priority() == 150);
}

TEST_CASE("LAN: equal priorities") {
    Lan lan;
    lan.add(v3_settings(100), kH1);
    lan.add(v3_settings(100), kH3);
    lan.add(v3_settings(100), kH2);
    SUBCASE("Masters at once: the higher address wins (§6.4.3 (735))") {
        for (std::size_t i = 0; i < 3; ++i) lan.node(i).isolated = true;
        lan.start_all(kT0);
        lan.run_until(kT0 + seconds(1));
        CHECK(lan.vip_holders() == 3);
        for (std::size_t i = 0; i < 3; ++i) lan.node(i).isolated = false;
        lan.run_until(kT0 + seconds(2));
        CHECK(lan.only_master() == std::optional<std::size_t>(1));  // 198.18.0.3
        CHECK(lan.vip_holders() == 1);
    }
    SUBCASE("a Backup does not preempt an equal Master, whatever the addresses") {
        lan.start_all(kT0);
        lan.run_until(kT0 + seconds(2));
        // All timers ran out together; the first to fire announced itself and the
        // others, hearing an equal priority, went on as Backups (§6.4.2 (445)).
        CHECK(lan.only_master() == std::optional<std::size_t>(0));
        CHECK(lan.vip_holders() == 1);
    }
}

TEST_CASE("LAN: takeover times match the lab's keepalived measurements") {
    struct Row {
        const char* name;
        RouterSettings settings;
        bool graceful;
        Interval at_most;
    };
    const Row rows[] = {
        // lab.md: SIGTERM → 0.68 s (v2) / 0.085 s (v3); SIGKILL → 3.62 s / 0.35 s.
        {"v2 SIGTERM", v2_settings(), true, microseconds(609375)},
        {"v2 SIGKILL", v2_settings(), false, microseconds(3609375)},
        {"v3 SIGTERM", v3_settings(), true, microseconds(60937)},
        {"v3 SIGKILL", v3_settings(), false, microseconds(360937)},
    };
    for (const auto& row : rows) {
        CAPTURE(std::string(row.name));
        Lan lan;
        RouterSettings master = row.settings;
        master.priority = 200;
        lan.add(master, kH1);
        lan.add(row.settings, kH2);
        lan.start_all(kT0);
        lan.run_until(kT0 + seconds(10));
        REQUIRE(lan.only_master() == std::optional<std::size_t>(0));
        // Stop the Master just after it advertised.
        const TimePoint last_advert = *lan.node(0).timer - row.settings.advert_interval;
        CHECK(last_advert <= lan.now());
        if (row.graceful) {
            const TimePoint stopped = lan.now();
            lan.shutdown(0);
            const auto t = lan.run_until_new_master(0, stopped + seconds(10));
            REQUIRE(t);
            CHECK(*t - stopped <= row.at_most);
            CHECK(*t - stopped >= row.at_most - milliseconds(1));
            CHECK(lan.vip_holders() == 1);
        } else {
            const TimePoint killed = lan.now();
            lan.kill(0);
            const auto t = lan.run_until_new_master(0, killed + seconds(10));
            REQUIRE(t);
            CHECK(*t - last_advert <= row.at_most + milliseconds(1));
            // The killed node keeps its address (lab: both hosts hold it).
            CHECK(lan.vip_holders() == 2);
        }
    }
}

TEST_CASE("LAN: a split brain heals; the lower Master steps down at once") {
    Lan lan;
    lan.add(v3_settings(150), kH1);
    lan.add(v3_settings(100), kH2);
    // A partition: both become Master.
    lan.node(0).isolated = true;
    lan.node(1).isolated = true;
    lan.start_all(kT0);
    lan.run_until(kT0 + seconds(1));
    CHECK(lan.vip_holders() == 2);
    // Healed just after the lower one advertised: its next advert reaches the higher
    // Master, which answers at once (keepalived behaviour), and the lower steps down
    // without waiting for the higher one's Adver_Timer.
    lan.node(0).isolated = false;
    lan.node(1).isolated = false;
    const TimePoint healed = lan.now();
    const Interval dual = lan.run_until(healed + seconds(1));
    CHECK(lan.only_master() == std::optional<std::size_t>(0));
    CHECK(lan.vip_holders() == 1);
    CHECK(dual <= milliseconds(100));
}

TEST_CASE("LAN: two address owners end with one Master (erratum 8298)") {
    Lan lan;
    lan.add(v3_settings(255), kH1);
    lan.add(v3_settings(255), kH2);
    // Both go Master at startup (§6.4.1 (105)); the first advert of the second one makes the
    // first, with the lower address, step down.
    lan.start_all(kT0);
    CHECK(lan.node(0).router.state() == State::backup);
    lan.run_until(kT0 + seconds(1));
    CHECK(lan.only_master() == std::optional<std::size_t>(1));
    CHECK(lan.vip_holders() == 1);
}

TEST_CASE("LAN: health coupling moves the VIP and back (preempt)") {
    Lan lan;
    lan.add(v3_settings(150), kH1);
    lan.add(v3_settings(100), kH2);
    lan.start_all(kT0);
    lan.run_until(kT0 + seconds(2));
    REQUIRE(lan.only_master() == std::optional<std::size_t>(0));
    lan.event(0, PriorityChanged{50});  // weight -100: below the Backup
    lan.run_until(lan.now() + seconds(1));
    CHECK(lan.only_master() == std::optional<std::size_t>(1));
    lan.event(0, PriorityChanged{150});
    lan.run_until(lan.now() + seconds(1));
    CHECK(lan.only_master() == std::optional<std::size_t>(0));
    lan.event(0, FaultChanged{true});
    lan.run_until(lan.now() + milliseconds(100));
    CHECK(lan.only_master() == std::optional<std::size_t>(1));
    CHECK(lan.vip_holders() == 1);
    lan.event(0, FaultChanged{false});
    lan.run_until(lan.now() + seconds(1));
    CHECK(lan.only_master() == std::optional<std::size_t>(0));
    CHECK(lan.vip_holders() == 1);
}

}  // namespace pgfront::vrrp
