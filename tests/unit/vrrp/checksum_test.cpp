// Tests for vrrp/checksum.hpp: the RFC 1071 arithmetic fed in pieces.
#include "vrrp/checksum.hpp"

#include <doctest/doctest.h>

#include "vrrp_test_support.hpp"

namespace pgfront::vrrp {

using test::bytes;

TEST_CASE("RFC 1071 §3 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2") {
    const auto data = bytes({0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7});
    CHECK(internet_checksum(data) == static_cast<std::uint16_t>(~0xddf2));
}

TEST_CASE("pieces with odd boundaries sum like the whole") {
    const auto data = bytes({0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xc0, 0xa8,
                             0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7, 0x99});
    const std::uint16_t whole = internet_checksum(data);
    CHECK(whole == test::reference_checksum(data));
    for (std::size_t cut = 0; cut <= data.size(); ++cut) {
        for (std::size_t cut2 = cut; cut2 <= data.size(); ++cut2) {
            InternetChecksum sum;
            sum.add(std::span(data).first(cut));
            sum.add(std::span(data).subspan(cut, cut2 - cut));
            sum.add(std::span(data).subspan(cut2));
            CHECK(sum.finish() == whole);
        }
    }
}

TEST_CASE("add_u16/add_u32 are big-endian words") {
    InternetChecksum a;
    a.add_u32(0x12345678);
    a.add_u16(0x9abc);
    CHECK(a.finish() == internet_checksum(bytes({0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc})));
}

TEST_CASE("carries fold repeatedly") {
    const std::vector<std::byte> ff(4096, std::byte{0xff});
    CHECK(internet_checksum(ff) == 0);
    CHECK(internet_checksum({}) == 0xffff);
}

TEST_CASE("vrrp_checksum skips the checksum field") {
    auto m = bytes({0x21, 0x33, 0x64, 0x01, 0x00, 0x01, 0x12, 0x34, 0xc6, 0x12,
                    0x00, 0x64, 0,    0,    0,    0,    0,    0,    0,    0});
    const IpAddress any;
    CHECK(vrrp_checksum(m, Version::v2, ChecksumMode::pseudo_header, any, any) == 0xb453);
    m[6] = m[7] = std::byte{0xff};
    CHECK(vrrp_checksum(m, Version::v2, ChecksumMode::pseudo_header, any, any) == 0xb453);
    // Shorter than the field: summed as is, no crash.
    CHECK(vrrp_checksum(std::span(m).first(7), Version::v3, ChecksumMode::message_only, any, any) ==
          internet_checksum(std::span(m).first(6)));
}

}  // namespace pgfront::vrrp
