// Tests for auth/ip_network: address parsing, CIDR parsing and its errors, containment at
// prefix edges, IPv6, and IPv4-mapped client addresses.
#include "auth/ip_network.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace pgfront::auth;

namespace {

IpAddress ip(std::string_view text) {
    const auto a = IpAddress::parse(text);
    REQUIRE(a);
    return *a;
}

IpNetwork net(std::string_view text) {
    auto n = IpNetwork::parse(text);
    REQUIRE_MESSAGE(n, text);
    return n.value();
}

}  // namespace

TEST_CASE("address parsing") {
    CHECK(ip("10.1.2.3").family() == IpAddress::Family::v4);
    CHECK(ip("10.1.2.3").to_string() == "10.1.2.3");
    CHECK(ip("::1").family() == IpAddress::Family::v6);
    CHECK(ip("2001:DB8::1").to_string() == "2001:db8::1");
    // A dual-stack socket's view of an IPv4 client is the IPv4 address.
    CHECK(ip("::ffff:192.0.2.7") == ip("192.0.2.7"));
    CHECK(ip("::ffff:192.0.2.7").family() == IpAddress::Family::v4);

    for (const std::string_view bad :
         {"", "10.1.2", "10.1.2.256", "010.1.2.3", "host.example", "::1%eth0", "[::1]",
          "10.1.2.3/32", " 10.1.2.3", "1::2::3"}) {
        CAPTURE(bad);
        CHECK_FALSE(IpAddress::parse(bad));
    }
}

TEST_CASE("from_bytes") {
    const std::uint8_t v4[] = {192, 0, 2, 1};
    CHECK(IpAddress::from_bytes(v4)->to_string() == "192.0.2.1");
    std::uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
    CHECK(*IpAddress::from_bytes(mapped) == ip("192.0.2.1"));
    mapped[10] = 0;
    CHECK(IpAddress::from_bytes(mapped)->family() == IpAddress::Family::v6);
    const std::uint8_t wrong[5] = {};
    CHECK_FALSE(IpAddress::from_bytes(wrong));
}

TEST_CASE("IPv4 CIDR edges") {
    const IpNetwork n = net("192.168.10.0/23");
    CHECK(n.prefix_length() == 23);
    CHECK(n.to_string() == "192.168.10.0/23");
    CHECK_FALSE(n.contains(ip("192.168.9.255")));
    CHECK(n.contains(ip("192.168.10.0")));
    CHECK(n.contains(ip("192.168.11.255")));
    CHECK_FALSE(n.contains(ip("192.168.12.0")));

    const IpNetwork host = net("10.0.0.5/32");
    CHECK(host.contains(ip("10.0.0.5")));
    CHECK_FALSE(host.contains(ip("10.0.0.4")));
    CHECK_FALSE(host.contains(ip("10.0.0.6")));

    const IpNetwork everything = net("0.0.0.0/0");
    CHECK(everything.contains(ip("255.255.255.255")));
    CHECK(everything.contains(ip("0.0.0.0")));
    CHECK_FALSE(everything.contains(ip("::1")));  // families never mix

    const IpNetwork odd = net("10.0.0.128/25");
    CHECK(odd.contains(ip("10.0.0.128")));
    CHECK(odd.contains(ip("10.0.0.255")));
    CHECK_FALSE(odd.contains(ip("10.0.0.127")));

    CHECK(net("10.0.0.5").prefix_length() == 32);  // a bare address is one host
}

TEST_CASE("IPv6 CIDR edges") {
    const IpNetwork n = net("2001:db8:abcd:12::/63");
    CHECK(n.contains(ip("2001:db8:abcd:12::1")));
    CHECK(n.contains(ip("2001:db8:abcd:13:ffff:ffff:ffff:ffff")));
    CHECK_FALSE(n.contains(ip("2001:db8:abcd:14::")));
    CHECK_FALSE(n.contains(ip("2001:db8:abcd:11:ffff:ffff:ffff:ffff")));
    CHECK_FALSE(n.contains(ip("10.0.0.1")));

    const IpNetwork loopback = net("::1/128");
    CHECK(loopback.contains(ip("::1")));
    CHECK_FALSE(loopback.contains(ip("::2")));
    CHECK(net("::1").prefix_length() == 128);

    const IpNetwork all6 = net("::/0");
    CHECK(all6.contains(ip("fe80::1")));
    CHECK_FALSE(all6.contains(ip("127.0.0.1")));

    // An IPv4 client on a dual-stack socket matches IPv4 networks, not ::ffff:0:0/96.
    CHECK(net("192.0.2.0/24").contains(ip("::ffff:192.0.2.200")));
}

TEST_CASE("CIDR errors say what is wrong") {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"10.1.2.3/8", "bits set beyond the /8 prefix"},
        {"10.0.0.0/33", "not 0..32"},
        {"10.0.0.0/", "not 0..32"},
        {"10.0.0.0/-1", "not 0..32"},
        {"10.0.0.0/8x", "not 0..32"},
        {"::/129", "not 0..128"},
        {"2001:db8::1/64", "bits set"},
        {"db.example.com/32", "not an IPv4 or IPv6 address"},
        {"::ffff:10.0.0.0/104", "IPv4-mapped"},
        {"", "not an IPv4 or IPv6 address"},
    };
    for (const auto& [text, why] : cases) {
        CAPTURE(text);
        const auto r = IpNetwork::parse(text);
        REQUIRE_FALSE(r);
        CHECK(r.error().find(why) != std::string::npos);
    }
}
