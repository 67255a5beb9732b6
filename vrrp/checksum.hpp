// The Internet checksum (RFC 1071) and the VRRP checksum variants built on it: v2 over the
// message (RFC 3768 §5.3.8), v3 with an IP pseudo-header (RFC 5798 §5.2.8) or without.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "vrrp/ip_address.hpp"
#include "vrrp/wire.hpp"

namespace pgfront::vrrp {

// One's-complement sum fed in pieces; a piece may end on an odd byte.
class InternetChecksum {
  public:
    void add(std::span<const std::byte> bytes);
    void add_u16(std::uint16_t value);
    void add_u32(std::uint32_t value);
    // The 16-bit one's complement of the sum: the value to put in a checksum field, or 0
    // when the summed bytes already contain a correct checksum.
    std::uint16_t finish() const;

  private:
    std::uint64_t sum_ = 0;
    bool odd_ = false;  // the next byte is the low half of a 16-bit word
};

std::uint16_t internet_checksum(std::span<const std::byte> bytes);

// The checksum a VRRP message must carry. `message` is the whole VRRP message starting with
// the version field; its checksum field (bytes 6..7) is treated as zero, so this computes
// the value to send and, compared with the stored one, verifies a received message.
// `source`/`destination` are the IP addresses of the packet (used for v3 pseudo-headers).
std::uint16_t vrrp_checksum(std::span<const std::byte> message, Version version, ChecksumMode mode,
                            const IpAddress& source, const IpAddress& destination);

}  // namespace pgfront::vrrp
