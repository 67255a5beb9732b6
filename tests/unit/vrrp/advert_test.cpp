// Tests for vrrp/advert.hpp: byte-exact adverts as keepalived sends them, decoding, and
// every AdvertError a received packet can be dropped for.
#include "vrrp/advert.hpp"

#include <doctest/doctest.h>

#include "vrrp/checksum.hpp"
#include "vrrp/ipv4_header.hpp"
#include "vrrp_test_support.hpp"

namespace pgfront::vrrp {
namespace {

using test::bytes;
using test::hex;
using test::reference_checksum;

const IpAddress kVip = IpAddress::v4(198, 18, 0, 100);
const IpAddress kSelf = IpAddress::v4(198, 18, 0, 1);
const IpAddress kPeer = IpAddress::v4(198, 18, 0, 2);
const IpAddress kGroup = IpAddress::v4(224, 0, 0, 18);

// /work/shared/lab/keepalived-h1.conf: vrrp_version 2, VRID 51, priority 100, advert 1 s.
RouterSettings keepalived_v2() {
    RouterSettings s;
    s.interface = "eth0";
    s.addresses = {*VirtualAddress::parse("198.18.0.100/24")};
    s.vrid = 51;
    s.priority = 100;
    s.version = Version::v2;
    s.advert_interval = std::chrono::seconds(1);
    return s;
}

// keepalived-h1-v3.conf: vrrp_version 3, advert_int 0.1.
RouterSettings keepalived_v3() {
    RouterSettings s = keepalived_v2();
    s.version = Version::v3;
    s.advert_interval = std::chrono::milliseconds(100);
    return s;
}

// RFC 3768 §5.1 laid out by hand: 21 = version 2 / type 1, 33 = VRID 51, 64 = priority 100,
// 01 address, 00 = auth none, 01 = 1 s, checksum, c6 12 00 64 = 198.18.0.100, 8 bytes auth.
// Checksum by hand: 2133+6401 = 8534, +0001 = 8535, +c612 = 14b47 → folded 4b48,
// +0064 = 4bac; ~4bac = b453.
const std::vector<std::byte> kKeepalivedV2 =
    bytes({0x21, 0x33, 0x64, 0x01, 0x00, 0x01, 0xb4, 0x53, 0xc6, 0x12,
           0x00, 0x64, 0,    0,    0,    0,    0,    0,    0,    0});

// RFC 5798 §5.1: 31 = version 3 / type 1, then 0 rsvd + 00a = 10 cs. Checksum over the
// pseudo-header 198.18.0.1 → 224.0.0.18, proto 112, length 12, by hand:
// c612+0001+e000+0012+0070+000c = a6a2; message 3133+6401+000a+c612+0064 = 5bb5 (folded);
// a6a2+5bb5 = 10257 → 0258; ~0258 = fda7.
const std::vector<std::byte> kKeepalivedV3 =
    bytes({0x31, 0x33, 0x64, 0x01, 0x00, 0x0a, 0xfd, 0xa7, 0xc6, 0x12, 0x00, 0x64});

std::vector<std::byte> pseudo_header_v4(const IpAddress& src, const IpAddress& dst,
                                        std::size_t length) {
    std::vector<std::byte> out;
    for (std::byte b : src.bytes()) out.push_back(b);
    for (std::byte b : dst.bytes()) out.push_back(b);
    for (unsigned v :
         {0U, 112U, static_cast<unsigned>(length >> 8), static_cast<unsigned>(length & 0xff)}) {
        out.push_back(static_cast<std::byte>(v));
    }
    return out;
}

std::vector<std::byte> zero_checksum(std::vector<std::byte> message) {
    message[6] = message[7] = std::byte{0};
    return message;
}

std::uint16_t stored_checksum(const std::vector<std::byte>& m) {
    return static_cast<std::uint16_t>(std::to_integer<unsigned>(m[6]) << 8 |
                                      std::to_integer<unsigned>(m[7]));
}

// Rewrites the checksum of a v2 message after a test changed a field.
std::vector<std::byte> fix_v2_checksum(std::vector<std::byte> m) {
    const std::uint16_t sum = reference_checksum(zero_checksum(m));
    m[6] = std::byte(sum >> 8);
    m[7] = std::byte(sum & 0xff);
    return m;
}

std::vector<std::byte> fix_v3_checksum(std::vector<std::byte> m, const IpAddress& src,
                                       const IpAddress& dst) {
    const std::uint16_t sum =
        reference_checksum(test::concat(pseudo_header_v4(src, dst, m.size()), zero_checksum(m)));
    m[6] = std::byte(sum >> 8);
    m[7] = std::byte(sum & 0xff);
    return m;
}

const PacketInfo kFromPeer{kPeer, kGroup, 255};

}  // namespace

TEST_CASE("v2 advert is byte-exact with keepalived's defaults (20 bytes, auth none)") {
    std::vector<std::byte> out;
    REQUIRE(build_advert(out, keepalived_v2(), 100, kSelf, kGroup));
    CHECK(out.size() == 20);
    CHECK(hex(out) == hex(kKeepalivedV2));
    // Recomputed independently: the checksum over the message with a zero field.
    CHECK(reference_checksum(zero_checksum(out)) == 0xb453);
    CHECK(reference_checksum(out) == 0);  // a correct message sums to 0xffff
    // v2 ignores the checksum mode and the IP addresses.
    for (auto mode : {ChecksumMode::message_only, ChecksumMode::pseudo_header_multicast}) {
        RouterSettings s = keepalived_v2();
        s.checksum_mode = mode;
        std::vector<std::byte> again;
        REQUIRE(build_advert(again, s, 100, kPeer, kSelf));
        CHECK(again == kKeepalivedV2);
    }
}

TEST_CASE("v3 advert is byte-exact with keepalived's defaults (12 bytes, interval 000a)") {
    std::vector<std::byte> out;
    REQUIRE(build_advert(out, keepalived_v3(), 100, kSelf, kGroup));
    CHECK(out.size() == 12);
    CHECK(hex(out) == hex(kKeepalivedV3));
    CHECK(stored_checksum(out) == 0xfda7);
    CHECK(reference_checksum(
              test::concat(pseudo_header_v4(kSelf, kGroup, 12), zero_checksum(out))) == 0xfda7);
}

TEST_CASE("v3 checksum modes") {
    SUBCASE("message only: hand-computed a44a") {
        RouterSettings s = keepalived_v3();
        s.checksum_mode = ChecksumMode::message_only;
        std::vector<std::byte> out;
        REQUIRE(build_advert(out, s, 100, kSelf, kGroup));
        CHECK(stored_checksum(out) == 0xa44a);
        CHECK(reference_checksum(zero_checksum(out)) == 0xa44a);
    }
    SUBCASE("unicast: the pseudo-header carries the peer's address") {
        std::vector<std::byte> out;
        REQUIRE(build_advert(out, keepalived_v3(), 100, kSelf, kPeer));
        CHECK(stored_checksum(out) != 0xfda7);
        CHECK(stored_checksum(out) == reference_checksum(test::concat(
                                          pseudo_header_v4(kSelf, kPeer, 12), zero_checksum(out))));
    }
    SUBCASE("keepalived old_unicast_checksum: multicast group even for unicast") {
        RouterSettings s = keepalived_v3();
        s.checksum_mode = ChecksumMode::pseudo_header_multicast;
        std::vector<std::byte> out;
        REQUIRE(build_advert(out, s, 100, kSelf, kPeer));
        CHECK(out == kKeepalivedV3);
    }
}

TEST_CASE("v2 simple text password is padded with zeros") {
    RouterSettings s = keepalived_v2();
    s.auth_pass = "secret";
    std::vector<std::byte> out;
    REQUIRE(build_advert(out, s, 100, kSelf, kGroup));
    CHECK(std::to_integer<unsigned>(out[4]) == 1);
    CHECK(hex(std::span(out).subspan(12)) == "73 65 63 72 65 74 00 00");
    CHECK(reference_checksum(out) == 0);
    const auto r = receive_advert(out, kFromPeer, s);
    REQUIRE(r.ok());
    CHECK(r.advert.auth_type() == AuthType::simple_text);
}

TEST_CASE("decode the keepalived adverts field by field") {
    SUBCASE("v2") {
        const auto r = decode_advert(kKeepalivedV2, {kSelf, kGroup, 255}, ChecksumMode{});
        REQUIRE(r.ok());
        const AdvertView& a = r.advert;
        CHECK(a.version() == Version::v2);
        CHECK(a.type() == 1);
        CHECK(a.vrid() == 51);
        CHECK(a.priority() == 100);
        CHECK(a.address_count() == 1);
        CHECK(a.auth_type() == AuthType::none);
        CHECK(a.interval_field() == 1);
        CHECK(a.advert_interval() == std::chrono::seconds(1));
        CHECK(a.checksum() == 0xb453);
        CHECK(a.family() == Family::ipv4);
        CHECK(a.address(0) == kVip);
        CHECK(a.auth_data().size() == 8);
        CHECK(a.bytes().size() == 20);
    }
    SUBCASE("v3") {
        const auto r = decode_advert(kKeepalivedV3, {kSelf, kGroup, 255}, ChecksumMode{});
        REQUIRE(r.ok());
        CHECK(r.advert.version() == Version::v3);
        CHECK(r.advert.interval_field() == 10);
        CHECK(r.advert.advert_interval() == std::chrono::milliseconds(100));
        CHECK(r.advert.auth_type() == AuthType::none);
        CHECK(r.advert.auth_data().empty());
        CHECK(r.advert.address(0) == kVip);
    }
    SUBCASE("v3 reserved bits are ignored on receipt (RFC 5798 §5.2.6)") {
        auto m = kKeepalivedV3;
        m[4] = std::byte{0xf0};
        m = fix_v3_checksum(m, kSelf, kGroup);
        const auto r = decode_advert(m, {kSelf, kGroup, 255}, ChecksumMode{});
        REQUIRE(r.ok());
        CHECK(r.advert.interval_field() == 10);
    }
    SUBCASE("v3 maximum interval 4095 cs") {
        auto m = kKeepalivedV3;
        m[4] = std::byte{0x0f};
        m[5] = std::byte{0xff};
        m = fix_v3_checksum(m, kSelf, kGroup);
        const auto r = decode_advert(m, {kSelf, kGroup, 255}, ChecksumMode{});
        REQUIRE(r.ok());
        CHECK(r.advert.advert_interval() == std::chrono::milliseconds(40950));
    }
}

TEST_CASE("v3 over IPv6: 16-byte addresses and the RFC 8200 pseudo-header") {
    const auto src = *IpAddress::parse("fe80::1");
    const auto dst = vrrp_multicast_group(Family::ipv6);
    CHECK(dst.to_string() == "ff02::12");
    RouterSettings s = keepalived_v3();
    s.addresses = {*VirtualAddress::parse("fe80::100"), *VirtualAddress::parse("2001:db8::1/64")};
    REQUIRE(check_settings(s).empty());
    std::vector<std::byte> out;
    REQUIRE(build_advert(out, s, 100, src, dst));
    CHECK(out.size() == 8 + 2 * 16);
    // Pseudo-header: src, dst, 32-bit length, 3 zero bytes, next header 112.
    std::vector<std::byte> pseudo(src.bytes().begin(), src.bytes().end());
    pseudo.insert(pseudo.end(), dst.bytes().begin(), dst.bytes().end());
    const auto tail = bytes({0, 0, 0, 40, 0, 0, 0, 112});
    pseudo.insert(pseudo.end(), tail.begin(), tail.end());
    CHECK(stored_checksum(out) == reference_checksum(test::concat(pseudo, zero_checksum(out))));
    const auto r = receive_advert(out, {src, dst, 255}, s);
    REQUIRE(r.ok());
    CHECK(r.advert.family() == Family::ipv6);
    CHECK(r.advert.address(1) == s.addresses[1].address);
    CHECK(advert_size(Version::v3, Family::ipv6, 2) == 40);
}

TEST_CASE("build_advert refuses what it cannot encode") {
    std::vector<std::byte> out;
    const std::vector<IpAddress> one{kVip};
    AdvertFields f;
    f.vrid = 51;
    f.interval = 100;
    f.addresses = one;
    SUBCASE("v3 interval over 12 bits") {
        f.interval = 4096;
        CHECK_FALSE(build_advert(out, f, ChecksumMode{}, kSelf, kGroup));
    }
    SUBCASE("interval 0") {
        f.interval = 0;
        CHECK_FALSE(build_advert(out, f, ChecksumMode{}, kSelf, kGroup));
    }
    SUBCASE("v2 interval over 8 bits") {
        f.version = Version::v2;
        f.interval = 256;
        CHECK_FALSE(build_advert(out, f, ChecksumMode{}, kSelf, kGroup));
    }
    SUBCASE("v2 with IPv6") {
        f.version = Version::v2;
        f.interval = 1;
        const std::vector<IpAddress> v6{*IpAddress::parse("2001:db8::1")};
        f.addresses = v6;
        CHECK_FALSE(build_advert(out, f, ChecksumMode{}, *IpAddress::parse("fe80::1"),
                                 vrrp_multicast_group(Family::ipv6)));
    }
    SUBCASE("mixed families") {
        const std::vector<IpAddress> mixed{kVip, *IpAddress::parse("2001:db8::1")};
        f.addresses = mixed;
        CHECK_FALSE(build_advert(out, f, ChecksumMode{}, kSelf, kGroup));
    }
    SUBCASE("source of another family") {
        CHECK_FALSE(build_advert(out, f, ChecksumMode{}, *IpAddress::parse("fe80::1"), kGroup));
    }
    SUBCASE("no address") {
        f.addresses = {};
        CHECK_FALSE(build_advert(out, f, ChecksumMode{}, kSelf, kGroup));
    }
    SUBCASE("more than 255 addresses") {
        const std::vector<IpAddress> many(256, kVip);
        f.addresses = many;
        CHECK_FALSE(build_advert(out, f, ChecksumMode{}, kSelf, kGroup));
    }
    SUBCASE("unknown version") {
        f.version = static_cast<Version>(4);
        CHECK_FALSE(build_advert(out, f, ChecksumMode{}, kSelf, kGroup));
    }
    CHECK(out.empty());
}

TEST_CASE("build_advert appends to what the buffer holds") {
    std::vector<std::byte> out = bytes({0xaa, 0xbb});
    REQUIRE(build_advert(out, keepalived_v3(), 100, kSelf, kGroup));
    CHECK(out.size() == 14);
    CHECK(std::vector<std::byte>(out.begin() + 2, out.end()) == kKeepalivedV3);
}

TEST_CASE("priority 0 advert (master leaving) and the owner's 255") {
    for (unsigned priority : {0U, 255U}) {
        std::vector<std::byte> out;
        REQUIRE(
            build_advert(out, keepalived_v2(), static_cast<std::uint8_t>(priority), kSelf, kGroup));
        CHECK(std::to_integer<unsigned>(out[2]) == priority);
        CHECK(reference_checksum(out) == 0);
    }
}

// Each reason, from a packet that is correct except for one thing.
TEST_CASE("every receive check has its own reason") {
    const RouterSettings v2 = keepalived_v2();
    const RouterSettings v3 = keepalived_v3();
    const PacketInfo info_v3{kSelf, kGroup, 255};  // kKeepalivedV3's checksum is from kSelf

    auto reason = [](const AdvertResult& r) {
        return r.error ? std::string(to_string(*r.error)) : std::string("ok");
    };

    CHECK(reason(receive_advert(kKeepalivedV2, kFromPeer, v2)) == "ok");
    CHECK(reason(receive_advert(kKeepalivedV3, info_v3, v3)) == "ok");

    SUBCASE("bad_ttl: TTL 254 is dropped, before anything else is looked at") {
        CHECK(reason(receive_advert(kKeepalivedV2, {kPeer, kGroup, 254}, v2)) == "bad_ttl");
        CHECK(reason(receive_advert(bytes({}), {kPeer, kGroup, 64}, v2)) == "bad_ttl");
    }
    SUBCASE("too_short") {
        for (std::ptrdiff_t n = 0; n < 8; ++n) {
            const std::vector<std::byte> m(kKeepalivedV2.begin(), kKeepalivedV2.begin() + n);
            CHECK(reason(receive_advert(m, kFromPeer, v2)) == "too_short");
        }
    }
    SUBCASE("bad_version") {
        auto m = kKeepalivedV2;
        m[0] = std::byte{0x11};  // version 1
        CHECK(reason(receive_advert(fix_v2_checksum(m), kFromPeer, v2)) == "bad_version");
        m[0] = std::byte{0x41};
        CHECK(reason(receive_advert(fix_v2_checksum(m), kFromPeer, v2)) == "bad_version");
        // A well-formed advert of the other version.
        CHECK(reason(receive_advert(kKeepalivedV3, info_v3, v2)) == "bad_version");
        CHECK(reason(receive_advert(kKeepalivedV2, kFromPeer, v3)) == "bad_version");
        // v2 does not exist over IPv6.
        const PacketInfo v6{*IpAddress::parse("fe80::2"), vrrp_multicast_group(Family::ipv6), 255};
        CHECK(reason(receive_advert(kKeepalivedV2, v6, v2)) == "bad_version");
    }
    SUBCASE("bad_type") {
        auto m = kKeepalivedV2;
        m[0] = std::byte{0x22};
        CHECK(reason(receive_advert(fix_v2_checksum(m), kFromPeer, v2)) == "bad_type");
        m[0] = std::byte{0x20};
        CHECK(reason(receive_advert(fix_v2_checksum(m), kFromPeer, v2)) == "bad_type");
    }
    SUBCASE("truncated: the count needs more bytes than there are") {
        const std::vector<std::byte> m(kKeepalivedV2.begin(), kKeepalivedV2.end() - 1);
        CHECK(reason(receive_advert(m, kFromPeer, v2)) == "truncated");
        auto two = kKeepalivedV2;
        two[3] = std::byte{2};  // 2 addresses would need 24 bytes
        CHECK(reason(receive_advert(fix_v2_checksum(two), kFromPeer, v2)) == "truncated");
        const std::vector<std::byte> v3_cut(kKeepalivedV3.begin(), kKeepalivedV3.end() - 2);
        CHECK(reason(receive_advert(v3_cut, info_v3, v3)) == "truncated");
    }
    SUBCASE("length_mismatch: more bytes than the count explains") {
        auto m = kKeepalivedV2;
        m.push_back(std::byte{0});
        m.push_back(std::byte{0});
        CHECK(reason(receive_advert(fix_v2_checksum(m), kFromPeer, v2)) == "length_mismatch");
    }
    SUBCASE("no_addresses: a count of 0 is ignored (RFC 9568 erratum 8299)") {
        auto zero = kKeepalivedV2;
        zero[3] = std::byte{0};
        CHECK(reason(receive_advert(fix_v2_checksum(zero), kFromPeer, v2)) == "no_addresses");
        const auto v3_zero = bytes({0x31, 0x33, 0x64, 0x00, 0x00, 0x0a, 0, 0});
        CHECK(reason(receive_advert(fix_v3_checksum(v3_zero, kSelf, kGroup), info_v3, v3)) ==
              "no_addresses");
    }
    SUBCASE("bad_checksum") {
        auto m = kKeepalivedV2;
        m[7] ^= std::byte{1};
        CHECK(reason(receive_advert(m, kFromPeer, v2)) == "bad_checksum");
        auto flipped = kKeepalivedV2;
        flipped[10] ^= std::byte{0x80};  // a payload bit
        CHECK(reason(receive_advert(flipped, kFromPeer, v2)) == "bad_checksum");
        // v3: right bytes, wrong pseudo-header source; and a message-only sender.
        CHECK(reason(receive_advert(kKeepalivedV3, {kPeer, kGroup, 255}, v3)) == "bad_checksum");
        RouterSettings message_only = v3;
        message_only.checksum_mode = ChecksumMode::message_only;
        CHECK(reason(receive_advert(kKeepalivedV3, info_v3, message_only)) == "bad_checksum");
    }
    SUBCASE("wrong_vrid") {
        auto m = kKeepalivedV2;
        m[1] = std::byte{52};
        CHECK(reason(receive_advert(fix_v2_checksum(m), kFromPeer, v2)) == "wrong_vrid");
    }
    SUBCASE("auth_mismatch") {
        RouterSettings with_pass = v2;
        with_pass.auth_pass = "secret";
        CHECK(reason(receive_advert(kKeepalivedV2, kFromPeer, with_pass)) == "auth_mismatch");
        std::vector<std::byte> other;
        RouterSettings other_pass = v2;
        other_pass.auth_pass = "secreT";
        REQUIRE(build_advert(other, other_pass, 100, kPeer, kGroup));
        CHECK(reason(receive_advert(other, kFromPeer, with_pass)) == "auth_mismatch");
        CHECK(reason(receive_advert(other, kFromPeer, v2)) == "auth_mismatch");
        // Auth type 0: the data is ignored on reception (RFC 3768 §5.3.6.1).
        auto junk = kKeepalivedV2;
        junk[15] = std::byte{'x'};
        CHECK(reason(receive_advert(fix_v2_checksum(junk), kFromPeer, v2)) == "ok");
    }
    SUBCASE("address_list_mismatch, unless the sender is the owner") {
        auto m = kKeepalivedV2;
        m[11] = std::byte{101};  // 198.18.0.101
        CHECK(reason(receive_advert(fix_v2_checksum(m), kFromPeer, v2)) == "address_list_mismatch");
        m[2] = std::byte{255};
        CHECK(reason(receive_advert(fix_v2_checksum(m), kFromPeer, v2)) == "ok");
        m[2] = std::byte{100};
        RouterSettings unchecked = v2;
        unchecked.check_advert_addresses = false;
        CHECK(reason(receive_advert(fix_v2_checksum(m), kFromPeer, unchecked)) == "ok");
        // Same addresses in another order are the same list.
        RouterSettings two = v2;
        two.addresses.push_back(*VirtualAddress::parse("198.18.0.101"));
        AdvertFields f;
        f.version = Version::v2;
        f.vrid = 51;
        f.interval = 1;
        const std::vector<IpAddress> reversed{IpAddress::v4(198, 18, 0, 101), kVip};
        f.addresses = reversed;
        std::vector<std::byte> out;
        REQUIRE(build_advert(out, f, ChecksumMode{}, kPeer, kGroup));
        CHECK(reason(receive_advert(out, kFromPeer, two)) == "ok");
        CHECK(reason(receive_advert(out, kFromPeer, v2)) == "address_list_mismatch");
    }
    SUBCASE("interval_mismatch (v2 only)") {
        auto m = kKeepalivedV2;
        m[5] = std::byte{2};
        CHECK(reason(receive_advert(fix_v2_checksum(m), kFromPeer, v2)) == "interval_mismatch");
        // v3 backups learn another interval instead.
        auto v3m = kKeepalivedV3;
        v3m[5] = std::byte{20};
        CHECK(reason(receive_advert(fix_v3_checksum(v3m, kSelf, kGroup), info_v3, v3)) == "ok");
    }
    SUBCASE("bad_interval: v3 interval 0") {
        auto m = kKeepalivedV3;
        m[5] = std::byte{0};
        CHECK(reason(receive_advert(fix_v3_checksum(m, kSelf, kGroup), info_v3, v3)) ==
              "bad_interval");
    }
}

TEST_CASE("raw IPv4 datagrams: header parsed, then the advert") {
    const RouterSettings v3 = keepalived_v3();
    std::vector<std::byte> advert;
    REQUIRE(build_advert(advert, v3, 100, kPeer, kGroup));
    std::vector<std::byte> datagram;
    REQUIRE(build_ipv4_header(datagram, kPeer, kGroup, advert.size(), 7));
    datagram.insert(datagram.end(), advert.begin(), advert.end());

    auto reason = [](const AdvertResult& r) {
        return r.error ? std::string(to_string(*r.error)) : std::string("ok");
    };

    SUBCASE("the header as keepalived sends it") {
        CHECK(hex(std::span(datagram).first(12)) ==
              "45 c0 00 20 00 07 00 00 ff 70 " + hex(std::span(datagram).subspan(10, 2)));
        CHECK(reference_checksum(std::vector<std::byte>(datagram.begin(), datagram.begin() + 20)) ==
              0);
        const auto ip = parse_ipv4_header(datagram);
        REQUIRE(ip.ok());
        CHECK(ip.header.header_length == 20);
        CHECK(ip.header.total_length == 32);
        CHECK(ip.header.identification == 7);
        CHECK(ip.header.tos == 0xc0);
        CHECK(ip.header.ttl == 255);
        CHECK(ip.header.protocol == 112);
        CHECK(ip.header.source == kPeer);
        CHECK(ip.header.destination == kGroup);
        CHECK(ip.payload.size() == 12);
        const auto r = receive_ipv4_datagram(datagram, v3);
        REQUIRE(r.ok());
        CHECK(r.info.source == kPeer);
        CHECK(r.info.destination == kGroup);
        CHECK(r.info.ttl == 255);
        CHECK(r.advert.priority() == 100);
    }
    SUBCASE("options are skipped, padding after total length ignored") {
        std::vector<std::byte> with_options = datagram;
        with_options[0] = std::byte{0x46};
        with_options.insert(with_options.begin() + 20,
                            {std::byte{1}, std::byte{1}, std::byte{1}, std::byte{0}});
        with_options[3] = std::byte{36};
        with_options.push_back(std::byte{0});  // Ethernet padding the driver left
        const auto r = receive_ipv4_datagram(with_options, v3);
        CHECK(reason(r) == "ok");
    }
    SUBCASE("TTL from the header is checked") {
        auto d = datagram;
        d[8] = std::byte{1};
        CHECK(reason(receive_ipv4_datagram(d, v3)) == "bad_ttl");
    }
    SUBCASE("ip_too_short") {
        CHECK(reason(receive_ipv4_datagram(std::span(datagram).first(19), v3)) == "ip_too_short");
    }
    SUBCASE("ip_bad_header") {
        auto d = datagram;
        d[0] = std::byte{0x65};  // version 6
        CHECK(reason(receive_ipv4_datagram(d, v3)) == "ip_bad_header");
        d[0] = std::byte{0x44};  // 16-byte header
        CHECK(reason(receive_ipv4_datagram(d, v3)) == "ip_bad_header");
        d[0] = std::byte{0x4f};  // 60-byte header in 32 bytes
        CHECK(reason(receive_ipv4_datagram(d, v3)) == "ip_bad_header");
        d = datagram;
        d[2] = std::byte{0};
        d[3] = std::byte{19};  // total shorter than the header
        CHECK(reason(receive_ipv4_datagram(d, v3)) == "ip_bad_header");
    }
    SUBCASE("ip_truncated") {
        CHECK(reason(receive_ipv4_datagram(std::span(datagram).first(31), v3)) == "ip_truncated");
    }
    SUBCASE("ip_not_vrrp") {
        auto d = datagram;
        d[9] = std::byte{51};  // AH
        CHECK(reason(receive_ipv4_datagram(d, v3)) == "ip_not_vrrp");
    }
    SUBCASE("IPv6 addresses cannot go in an IPv4 header") {
        std::vector<std::byte> out;
        CHECK_FALSE(build_ipv4_header(out, *IpAddress::parse("::1"), kGroup, 12, 0));
        CHECK_FALSE(build_ipv4_header(out, kPeer, kGroup, 65516, 0));
        CHECK(out.empty());
    }
}

TEST_CASE("every AdvertError has a distinct name") {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < kAdvertErrorCount; ++i) {
        const auto name = std::string(to_string(static_cast<AdvertError>(i)));
        CHECK(name != "unknown");
        for (const auto& other : names) CHECK(other != name);
        names.push_back(name);
    }
    CHECK(names.size() == 17);
}

}  // namespace pgfront::vrrp
