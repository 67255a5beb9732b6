// IPv4 header parsing and building for the VRRP raw socket.
#include "vrrp/ipv4_header.hpp"

#include "vrrp/checksum.hpp"
#include "vrrp/wire.hpp"

namespace pgfront::vrrp {

namespace {

std::uint8_t u8(std::span<const std::byte> b, std::size_t at) {
    return std::to_integer<std::uint8_t>(b[at]);
}

std::uint16_t u16(std::span<const std::byte> b, std::size_t at) {
    return static_cast<std::uint16_t>(u8(b, at) << 8 | u8(b, at + 1));
}

void put16(std::vector<std::byte>& out, std::uint16_t value) {
    out.push_back(std::byte(value >> 8));
    out.push_back(std::byte(value & 0xff));
}

}  // namespace

Ipv4Parse parse_ipv4_header(std::span<const std::byte> datagram) {
    Ipv4Parse result;
    if (datagram.size() < kIpv4MinHeaderSize) {
        result.error = AdvertError::ip_too_short;
        return result;
    }
    const std::uint8_t version = u8(datagram, 0) >> 4;
    const std::size_t header_length = static_cast<std::size_t>(u8(datagram, 0) & 0x0f) * 4;
    const std::uint16_t total_length = u16(datagram, 2);
    if (version != 4 || header_length < kIpv4MinHeaderSize || header_length > datagram.size() ||
        total_length < header_length) {
        result.error = AdvertError::ip_bad_header;
        return result;
    }
    if (total_length > datagram.size()) {
        result.error = AdvertError::ip_truncated;
        return result;
    }
    Ipv4Header& h = result.header;
    h.header_length = header_length;
    h.tos = u8(datagram, 1);
    h.total_length = total_length;
    h.identification = u16(datagram, 4);
    h.ttl = u8(datagram, 8);
    h.protocol = u8(datagram, 9);
    h.source = *IpAddress::from_bytes(datagram.subspan(12, 4));
    h.destination = *IpAddress::from_bytes(datagram.subspan(16, 4));
    result.payload = datagram.subspan(header_length, total_length - header_length);
    return result;
}

bool build_ipv4_header(std::vector<std::byte>& out, const IpAddress& source,
                       const IpAddress& destination, std::size_t payload_size,
                       std::uint16_t identification) {
    if (source.family() != Family::ipv4 || destination.family() != Family::ipv4 ||
        payload_size > 0xffff - kIpv4MinHeaderSize) {
        return false;
    }
    const std::size_t start = out.size();
    out.push_back(std::byte{0x45});  // version 4, 5 words
    out.push_back(std::byte{kVrrpTos});
    put16(out, static_cast<std::uint16_t>(kIpv4MinHeaderSize + payload_size));
    put16(out, identification);
    put16(out, 0);  // flags and fragment offset
    out.push_back(std::byte{kRequiredTtl});
    out.push_back(std::byte{kProtocolVrrp});
    put16(out, 0);  // header checksum, filled below
    out.insert(out.end(), source.bytes().begin(), source.bytes().end());
    out.insert(out.end(), destination.bytes().begin(), destination.bytes().end());
    const std::uint16_t sum = internet_checksum(std::span(out).subspan(start, kIpv4MinHeaderSize));
    out[start + 10] = std::byte(sum >> 8);
    out[start + 11] = std::byte(sum & 0xff);
    return true;
}

}  // namespace pgfront::vrrp
