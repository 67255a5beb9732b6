// Tests for vrrp/router_settings.hpp: every out-of-range value is rejected with a message.
#include "vrrp/router_settings.hpp"

#include <doctest/doctest.h>

#include <algorithm>

namespace pgfront::vrrp {
namespace {

RouterSettings valid() {
    RouterSettings s;
    s.interface = "eth0";
    s.addresses = {*VirtualAddress::parse("198.18.0.100/24")};
    s.vrid = 51;
    return s;
}

bool mentions(const std::vector<std::string>& errors, std::string_view word) {
    return std::any_of(errors.begin(), errors.end(),
                       [&](const std::string& e) { return e.find(word) != std::string::npos; });
}

}  // namespace

TEST_CASE("defaults plus vrid and address are valid") {
    const RouterSettings s = valid();
    CHECK(check_settings(s).empty());
    CHECK(s.version == Version::v3);
    CHECK(s.priority == 100);
    CHECK(s.advert_interval == std::chrono::seconds(1));
    CHECK(s.preempt);
    CHECK(s.checksum_mode == ChecksumMode::pseudo_header);
    CHECK(interval_field(s) == 100);
    CHECK(auth_type(s) == AuthType::none);
}

TEST_CASE("each bad value is reported") {
    struct Case {
        const char* what;
        void (*change)(RouterSettings&);
        const char* mentions;
    };
    const Case cases[] = {
        {"vrid 0", [](RouterSettings& s) { s.vrid = 0; }, "vrid"},
        {"priority 0", [](RouterSettings& s) { s.priority = 0; }, "priority"},
        {"v3 interval not a multiple of 10ms",
         [](RouterSettings& s) { s.advert_interval = std::chrono::milliseconds(105); },
         "advert_interval"},
        {"v3 interval 0", [](RouterSettings& s) { s.advert_interval = {}; }, "advert_interval"},
        {"v3 interval over 40.95s",
         [](RouterSettings& s) { s.advert_interval = std::chrono::milliseconds(40960); },
         "advert_interval"},
        {"v2 fractional interval",
         [](RouterSettings& s) {
             s.version = Version::v2;
             s.advert_interval = std::chrono::milliseconds(100);
         },
         "advert_interval"},
        {"v2 interval over 255s",
         [](RouterSettings& s) {
             s.version = Version::v2;
             s.advert_interval = std::chrono::seconds(256);
         },
         "advert_interval"},
        {"no address", [](RouterSettings& s) { s.addresses.clear(); }, "address"},
        {"mixed families",
         [](RouterSettings& s) { s.addresses.push_back(*VirtualAddress::parse("2001:db8::1")); },
         "one family"},
        {"v2 IPv6",
         [](RouterSettings& s) {
             s.version = Version::v2;
             s.addresses = {*VirtualAddress::parse("2001:db8::1")};
         },
         "VRRPv2"},
        {"address twice", [](RouterSettings& s) { s.addresses.push_back(s.addresses.front()); },
         "twice"},
        {"multicast address",
         [](RouterSettings& s) { s.addresses = {*VirtualAddress::parse("224.0.0.18")}; },
         "multicast"},
        {"prefix 0", [](RouterSettings& s) { s.addresses.front().prefix_length = 0; }, "prefix"},
        {"peer of another family",
         [](RouterSettings& s) { s.unicast_peers = {*IpAddress::parse("fe80::1")}; },
         "unicast_peers"},
        {"peer twice",
         [](RouterSettings& s) {
             s.unicast_peers = {IpAddress::v4(198, 18, 0, 2), IpAddress::v4(198, 18, 0, 2)};
         },
         "twice"},
        {"source of another family",
         [](RouterSettings& s) { s.source_address = *IpAddress::parse("fe80::1"); },
         "source_address"},
        {"preempt_delay over 1000s",
         [](RouterSettings& s) { s.preempt_delay = std::chrono::seconds(1001); }, "preempt_delay"},
        {"negative preempt_delay",
         [](RouterSettings& s) { s.preempt_delay = std::chrono::milliseconds(-1); },
         "preempt_delay"},
        {"auth_pass over 8 bytes",
         [](RouterSettings& s) {
             s.version = Version::v2;
             s.auth_pass = "123456789";
         },
         "auth_pass"},
        {"auth_pass with v3", [](RouterSettings& s) { s.auth_pass.assign(1, 'x'); }, "auth_pass"},
        {"garp_master_repeat 0", [](RouterSettings& s) { s.garp_master_repeat = 0; },
         "garp_master_repeat"},
    };
    for (const auto& c : cases) {
        RouterSettings s = valid();
        c.change(s);
        const auto errors = check_settings(s);
        CHECK_MESSAGE(mentions(errors, c.mentions), c.what);
    }
}

TEST_CASE("wire helpers") {
    RouterSettings s = valid();
    s.advert_interval = std::chrono::milliseconds(100);
    CHECK(interval_field(s) == 10);
    s.version = Version::v2;
    s.advert_interval = std::chrono::seconds(3);
    s.auth_pass = "pw";
    REQUIRE(check_settings(s).empty());
    CHECK(interval_field(s) == 3);
    CHECK(auth_type(s) == AuthType::simple_text);
    const auto data = auth_data(s);
    CHECK(data[0] == std::byte{'p'});
    CHECK(data[1] == std::byte{'w'});
    CHECK(data[2] == std::byte{0});
    CHECK(to_string(Version::v2) == "2");
    CHECK(to_string(ChecksumMode::pseudo_header_multicast) == "pseudo_header_multicast");
}

}  // namespace pgfront::vrrp
