// Internet checksum arithmetic and the VRRP pseudo-header layouts.
#include "vrrp/checksum.hpp"

namespace pgfront::vrrp {

namespace {
constexpr std::size_t kChecksumOffset = 6;
}  // namespace

void InternetChecksum::add(std::span<const std::byte> bytes) {
    for (const std::byte b : bytes) {
        const auto value = std::to_integer<std::uint64_t>(b);
        sum_ += odd_ ? value : value << 8;
        odd_ = !odd_;
    }
}

void InternetChecksum::add_u16(std::uint16_t value) {
    const std::byte pair[2] = {std::byte(value >> 8), std::byte(value & 0xff)};
    add(pair);
}

void InternetChecksum::add_u32(std::uint32_t value) {
    add_u16(static_cast<std::uint16_t>(value >> 16));
    add_u16(static_cast<std::uint16_t>(value & 0xffff));
}

std::uint16_t InternetChecksum::finish() const {
    std::uint64_t sum = sum_;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::uint16_t internet_checksum(std::span<const std::byte> bytes) {
    InternetChecksum sum;
    sum.add(bytes);
    return sum.finish();
}

std::uint16_t vrrp_checksum(std::span<const std::byte> message, Version version, ChecksumMode mode,
                            const IpAddress& source, const IpAddress& destination) {
    InternetChecksum sum;
    if (version == Version::v3 && mode != ChecksumMode::message_only) {
        const IpAddress dst = mode == ChecksumMode::pseudo_header_multicast
                                  ? vrrp_multicast_group(destination.family())
                                  : destination;
        sum.add(source.bytes());
        sum.add(dst.bytes());
        if (source.family() == Family::ipv4) {
            // RFC 768/793 style: zero, protocol, 16-bit length.
            sum.add_u16(kProtocolVrrp);
            sum.add_u16(static_cast<std::uint16_t>(message.size()));
        } else {
            // RFC 8200 §8.1: 32-bit upper-layer length, 3 zero bytes, next header.
            sum.add_u32(static_cast<std::uint32_t>(message.size()));
            sum.add_u32(kProtocolVrrp);
        }
    }
    if (message.size() <= kChecksumOffset) {
        sum.add(message);
        return sum.finish();
    }
    sum.add(message.first(kChecksumOffset));
    if (message.size() > kChecksumOffset + 2) sum.add(message.subspan(kChecksumOffset + 2));
    return sum.finish();
}

}  // namespace pgfront::vrrp
