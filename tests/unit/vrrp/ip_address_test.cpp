// Tests for vrrp/ip_address.hpp and VirtualAddress parsing.
#include "vrrp/ip_address.hpp"

#include <doctest/doctest.h>

#include "vrrp/router_settings.hpp"

namespace pgfront::vrrp {

TEST_CASE("parse and print IPv4 and IPv6") {
    CHECK(IpAddress::parse("198.18.0.100") == IpAddress::v4(198, 18, 0, 100));
    CHECK(IpAddress::parse("198.18.0.100")->to_string() == "198.18.0.100");
    CHECK(IpAddress::parse("198.18.0.100")->family() == Family::ipv4);
    CHECK(IpAddress::parse("198.18.0.100")->bytes().size() == 4);
    const auto v6 = IpAddress::parse("2001:DB8::1");
    REQUIRE(v6);
    CHECK(v6->family() == Family::ipv6);
    CHECK(v6->to_string() == "2001:db8::1");
    CHECK(v6->bytes().size() == 16);
    for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", " 1.2.3.4", "1.2.3.4/24",
                            "fe80::1%eth0", "::g", "example.com"}) {
        CHECK_MESSAGE(!IpAddress::parse(bad), bad);
    }
}

TEST_CASE("from_bytes takes 4 or 16 bytes only") {
    const std::byte four[4] = {std::byte{10}, std::byte{0}, std::byte{0}, std::byte{1}};
    CHECK(IpAddress::from_bytes(four) == IpAddress::v4(10, 0, 0, 1));
    CHECK(!IpAddress::from_bytes(std::span(four).first(3)));
}

TEST_CASE("ordering is the numeric order RFC 5798 §6.4.3 compares") {
    CHECK(IpAddress::v4(198, 18, 0, 2) > IpAddress::v4(198, 18, 0, 1));
    CHECK(IpAddress::v4(10, 0, 0, 255) < IpAddress::v4(10, 0, 1, 0));
    CHECK(IpAddress::v4(9, 255, 255, 255) < IpAddress::v4(10, 0, 0, 0));
    CHECK(*IpAddress::parse("fe80::2") > *IpAddress::parse("fe80::1"));
    CHECK(*IpAddress::parse("fe80::1:0") > *IpAddress::parse("fe80::ffff"));
    CHECK(IpAddress::v4(255, 255, 255, 255) < *IpAddress::parse("::"));
}

TEST_CASE("multicast groups") {
    CHECK(vrrp_multicast_group(Family::ipv4).to_string() == "224.0.0.18");
    CHECK(vrrp_multicast_group(Family::ipv6).to_string() == "ff02::12");
    CHECK(vrrp_multicast_group(Family::ipv4).is_multicast());
    CHECK(vrrp_multicast_group(Family::ipv6).is_multicast());
    CHECK_FALSE(IpAddress::v4(198, 18, 0, 1).is_multicast());
    CHECK(IpAddress::v4(239, 1, 1, 1).is_multicast());
}

TEST_CASE("VirtualAddress parses keepalived's notation") {
    const auto vip = VirtualAddress::parse("198.18.0.100/24");
    REQUIRE(vip);
    CHECK(vip->address == IpAddress::v4(198, 18, 0, 100));
    CHECK(vip->prefix_length == 24);
    CHECK(vip->to_string() == "198.18.0.100/24");
    CHECK(VirtualAddress::parse("198.18.0.100")->prefix_length == 32);
    CHECK(VirtualAddress::parse("2001:db8::1")->prefix_length == 128);
    CHECK(VirtualAddress::parse("2001:db8::1/64")->prefix_length == 64);
    for (const char* bad : {"198.18.0.100/", "198.18.0.100/33", "198.18.0.100/2x",
                            "198.18.0.100/-1", "2001:db8::1/129", "/24", "x/24"}) {
        CHECK_MESSAGE(!VirtualAddress::parse(bad), bad);
    }
}

}  // namespace pgfront::vrrp
