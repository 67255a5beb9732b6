// Tests for the pure helpers of the speaker's I/O: the receive filter and drop counters,
// the primary-address choice, the gratuitous ARP bytes and the notify command line.
#include <doctest/doctest.h>

#include "vip/garp_sender.hpp"
#include "vip/netlink.hpp"
#include "vip/notifier.hpp"
#include "vip/receive_filter.hpp"

namespace pgfront::vip {
namespace {

using vrrp::IpAddress;

const IpAddress kSelf = IpAddress::v4(198, 18, 0, 1);
const IpAddress kPeer = IpAddress::v4(198, 18, 0, 2);
const IpAddress kStranger = IpAddress::v4(198, 18, 0, 9);
const IpAddress kVip = IpAddress::v4(198, 18, 0, 100);
const IpAddress kGroup = IpAddress::v4(224, 0, 0, 18);

vrrp::RouterSettings multicast_settings() {
    vrrp::RouterSettings s;
    s.interface = "eth0";
    s.addresses = {{kVip, 24}};
    s.vrid = 51;
    return s;
}

TEST_CASE("multicast mode accepts the VRRP group only") {
    const auto s = multicast_settings();
    CHECK_FALSE(filter_advert({kPeer, kGroup, 255}, s, kSelf));
    CHECK(filter_advert({kPeer, kSelf, 255}, s, kSelf) == FilterDrop::wrong_destination);
    CHECK(filter_advert({kPeer, IpAddress::v4(224, 0, 0, 1), 255}, s, kSelf) ==
          FilterDrop::wrong_destination);
}

TEST_CASE("unicast mode accepts our address from a configured peer only") {
    auto s = multicast_settings();
    s.unicast_peers = {kPeer};
    CHECK_FALSE(filter_advert({kPeer, kSelf, 255}, s, kSelf));
    CHECK(filter_advert({kPeer, kGroup, 255}, s, kSelf) == FilterDrop::wrong_destination);
    CHECK(filter_advert({kStranger, kSelf, 255}, s, kSelf) == FilterDrop::unknown_peer);
}

TEST_CASE("drop counters count per reason and in total") {
    DropCounters d;
    d.count(vrrp::AdvertError::bad_checksum);
    d.count(vrrp::AdvertError::bad_checksum);
    d.count(vrrp::AdvertError::bad_ttl);
    d.count(FilterDrop::unknown_peer);
    CHECK(d.advert[static_cast<std::size_t>(vrrp::AdvertError::bad_checksum)] == 2);
    CHECK(d.filter[static_cast<std::size_t>(FilterDrop::unknown_peer)] == 1);
    CHECK(d.total() == 4);
    CHECK(to_string(FilterDrop::wrong_destination) == "wrong_destination");
}

TEST_CASE("the primary address is the first non-secondary one that is not the VIP") {
    const std::vector<InterfaceAddress> with_vip_first = {
        {kVip, 32, false}, {kSelf, 24, false}, {kPeer, 24, true}};
    CHECK(primary_address(with_vip_first, kVip) == kSelf);
    const std::vector<InterfaceAddress> only_secondary = {{kVip, 24, false}, {kPeer, 24, true}};
    CHECK(primary_address(only_secondary, kVip) == kPeer);
    CHECK_FALSE(primary_address({{kVip, 24, false}}, kVip));
    CHECK_FALSE(primary_address({}, kVip));
}

TEST_CASE("gratuitous ARP: a request for the VIP from the VIP, from our MAC") {
    const MacAddress mac = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
    const auto p = build_gratuitous_arp(mac, kVip);
    const std::array<unsigned, kArpPacketSize> expected = {
        0x00, 0x01, 0x08, 0x00, 6,    4,    0x00, 0x01,           // Ethernet, IPv4, request
        0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 198,  18,   0, 100,   // sender
        0,    0,    0,    0,    0,    0,    198,  18,   0, 100};  // target
    for (std::size_t i = 0; i < kArpPacketSize; ++i) {
        CAPTURE(i);
        CHECK(std::to_integer<unsigned>(p[i]) == expected[i]);
    }
}

TEST_CASE("notify runs the command through sh with STATE VRID ADDRESS appended") {
    CHECK(notify_argv("/usr/local/bin/vip-notify --flag", "MASTER", 51, "198.18.0.100") ==
          std::vector<std::string>{"/bin/sh", "-c", "/usr/local/bin/vip-notify --flag \"$@\"",
                                   "pgfront-notify", "MASTER", "51", "198.18.0.100"});
}

}  // namespace
}  // namespace pgfront::vip
