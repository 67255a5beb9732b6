// The IPv4 header around a VRRP message: parsed from what a raw socket delivers, built for
// an IP_HDRINCL socket (RFC 791 layout; TTL 255 and protocol 112 per RFC 5798 §5.1.1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "vrrp/advert_error.hpp"
#include "vrrp/ip_address.hpp"

namespace pgfront::vrrp {

inline constexpr std::size_t kIpv4MinHeaderSize = 20;
// keepalived's TOS for adverts: IPTOS_PREC_INTERNETCONTROL.
inline constexpr std::uint8_t kVrrpTos = 0xc0;

struct Ipv4Header {
    std::size_t header_length = kIpv4MinHeaderSize;  // bytes, options included
    std::uint8_t tos = 0;
    std::uint16_t total_length = 0;
    std::uint16_t identification = 0;
    std::uint8_t ttl = 0;
    std::uint8_t protocol = 0;
    IpAddress source;
    IpAddress destination;
};

struct Ipv4Parse {
    std::optional<AdvertError> error;  // ip_too_short, ip_bad_header or ip_truncated
    Ipv4Header header;
    std::span<const std::byte> payload;  // bytes after the header, up to total length
    bool ok() const { return !error; }
};

// Reads the header of a datagram as Linux raw sockets deliver it (network byte order,
// total length including the header). Bytes beyond the total length are ignored.
Ipv4Parse parse_ipv4_header(std::span<const std::byte> datagram);

// Appends a 20-byte header without options: TOS 0xc0, no fragmentation, TTL 255,
// protocol 112, header checksum filled in. False (nothing appended) unless both addresses
// are IPv4 and the datagram fits in 65535 bytes.
[[nodiscard]] bool build_ipv4_header(std::vector<std::byte>& out, const IpAddress& source,
                                     const IpAddress& destination, std::size_t payload_size,
                                     std::uint16_t identification);

}  // namespace pgfront::vrrp
