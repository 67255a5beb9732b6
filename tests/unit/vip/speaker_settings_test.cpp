// Tests for vip/speaker_settings.hpp: every vip: key lands in the right RouterSettings or
// speaker field; bad values are reported, never replaced; what needs a restart.
#include "vip/speaker_settings.hpp"

#include <doctest/doctest.h>

#include <algorithm>

namespace pgfront::vip {
namespace {

using std::chrono::milliseconds;

conf::VipConfig full_config() {
    conf::VipConfig c;
    c.enabled = true;
    c.interface = "eth0";
    c.address = "198.18.0.100";
    c.prefix_length = 24;
    c.vrid = 51;
    c.priority = 150;
    c.version = 3;
    c.advert_interval = milliseconds(100);
    c.preempt = false;
    c.preempt_delay = milliseconds(2000);
    c.unicast_peers = {"198.18.0.2", "198.18.0.3"};
    c.unicast_src = "198.18.0.1";
    c.checksum_pseudo_header = false;
    c.garp_repeat = 3;
    c.garp_delay = milliseconds(2000);
    c.garp_refresh = milliseconds(60000);
    c.no_primary_after = milliseconds(2000);
    c.track_no_primary = {false, -60};
    c.track_listeners_down = {true, 0};
    c.notify = "/usr/local/bin/vip-notify";
    return c;
}

bool has_error(const SpeakerSettingsResult& r, const std::string& key) {
    return std::any_of(r.errors.begin(), r.errors.end(),
                       [&](const std::string& e) { return e.find(key) != std::string::npos; });
}

TEST_CASE("every key maps onto the router and the speaker") {
    const auto result = to_speaker_settings(full_config());
    REQUIRE(result.errors.empty());
    REQUIRE(result.settings);
    const auto& s = *result.settings;
    const auto& r = s.router;
    CHECK(r.interface == "eth0");
    REQUIRE(r.addresses.size() == 1);
    CHECK(r.addresses[0] == *vrrp::VirtualAddress::parse("198.18.0.100/24"));
    CHECK(r.vrid == 51);
    CHECK(r.priority == 150);
    CHECK(r.version == vrrp::Version::v3);
    CHECK(r.advert_interval == milliseconds(100));
    CHECK_FALSE(r.preempt);
    CHECK(r.preempt_delay == milliseconds(2000));
    CHECK(r.unicast_peers ==
          std::vector{vrrp::IpAddress::v4(198, 18, 0, 2), vrrp::IpAddress::v4(198, 18, 0, 3)});
    CHECK(r.source_address == vrrp::IpAddress::v4(198, 18, 0, 1));
    CHECK(r.checksum_mode == vrrp::ChecksumMode::message_only);
    CHECK(r.garp_master_repeat == 3);
    CHECK(r.garp_master_delay == milliseconds(2000));
    CHECK_FALSE(r.lower_prio_no_advert);  // keepalived's behaviour
    CHECK(s.garp_enabled);
    CHECK(s.garp_refresh == milliseconds(60000));
    CHECK(s.notify == "/usr/local/bin/vip-notify");
    CHECK(s.coupling.base_priority == 150);
    CHECK(s.coupling.no_primary_after == milliseconds(2000));
    CHECK(s.coupling.no_primary == CouplingTrack{false, -60});
    CHECK(s.coupling.listeners_down == CouplingTrack{true, 0});
}

TEST_CASE("defaults give keepalived's v3 behaviour with multicast and the pseudo-header") {
    conf::VipConfig c;
    c.enabled = true;
    c.interface = "eth0";
    c.address = "198.18.0.100";
    c.vrid = 7;
    const auto result = to_speaker_settings(c);
    REQUIRE(result.settings);
    const auto& r = result.settings->router;
    CHECK(r.addresses[0].prefix_length == 32);
    CHECK(r.version == vrrp::Version::v3);
    CHECK(r.priority == 100);
    CHECK(r.advert_interval == milliseconds(1000));
    CHECK(r.preempt);
    CHECK(r.unicast_peers.empty());
    CHECK_FALSE(r.source_address);
    CHECK(r.checksum_mode == vrrp::ChecksumMode::pseudo_header);
    CHECK(r.garp_master_repeat == 5);
    CHECK(r.garp_master_delay == milliseconds(5000));
    CHECK(result.settings->coupling.no_primary == CouplingTrack{true, 0});
}

TEST_CASE("v2 with a password") {
    auto c = full_config();
    c.version = 2;
    c.advert_interval = milliseconds(1000);
    c.auth_pass = "secret";
    const auto result = to_speaker_settings(c);
    REQUIRE(result.settings);
    CHECK(result.settings->router.version == vrrp::Version::v2);
    CHECK(result.settings->router.auth_pass == "secret");
}

TEST_CASE("garp_repeat 0 turns gratuitous ARP off without breaking the router's range") {
    auto c = full_config();
    c.garp_repeat = 0;
    const auto result = to_speaker_settings(c);
    REQUIRE(result.settings);
    CHECK_FALSE(result.settings->garp_enabled);
    CHECK(result.settings->router.garp_master_repeat == 1);
}

TEST_CASE("bad values are errors, never defaults") {
    auto c = full_config();
    c.address = "not-an-ip";
    c.unicast_peers = {"198.18.0.2", "not-a-peer"};
    c.unicast_src = "not-a-source";
    c.vrid = 0;
    const auto result = to_speaker_settings(c);
    CHECK_FALSE(result.settings);
    CHECK(has_error(result, "vip.address"));
    CHECK(has_error(result, "vip.unicast_peers[1]"));
    CHECK(has_error(result, "vip.unicast_src"));
    CHECK(has_error(result, "vip.vrid"));
}

TEST_CASE("the router's own checks run too") {
    auto c = full_config();
    c.version = 2;  // 100ms is not a whole second
    auto result = to_speaker_settings(c);
    CHECK_FALSE(result.settings);
    CHECK(has_error(result, "advert_interval"));

    c = full_config();
    c.auth_pass = "secret";  // v3 has no authentication
    result = to_speaker_settings(c);
    CHECK(has_error(result, "auth_pass"));

    c = full_config();
    c.interface = "a-very-long-interface-name";
    CHECK(has_error(to_speaker_settings(c), "vip.interface"));

    c = full_config();
    c.garp_refresh = milliseconds(50);  // shorter than the advert interval
    CHECK(has_error(to_speaker_settings(c), "vip.garp_refresh"));
}

TEST_CASE("restart_only_changes names what a reload cannot apply") {
    const auto a = full_config();
    auto b = a;
    b.priority = 90;
    b.preempt = true;
    b.preempt_delay = milliseconds(0);
    b.track_no_primary = {true, 0};
    b.no_primary_after = milliseconds(500);
    b.notify = "";
    CHECK(restart_only_changes(a, b).empty());
    b.vrid = 52;
    b.address = "198.18.0.101";
    b.advert_interval = milliseconds(200);
    CHECK(restart_only_changes(a, b) ==
          std::vector<std::string>{"vip.address", "vip.vrid", "vip.advert_interval"});
    b = a;
    b.enabled = false;
    CHECK(restart_only_changes(a, b) == std::vector<std::string>{"vip"});
}

}  // namespace
}  // namespace pgfront::vip
