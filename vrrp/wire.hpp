// VRRP wire constants shared by the codec, the settings and the state machine
// (RFC 3768 §5 for version 2, RFC 5798 §5 for version 3; RFC 9568 keeps v3's format).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pgfront::vrrp {

enum class Version : std::uint8_t { v2 = 2, v3 = 3 };

// How a VRRPv3 checksum covers the IP layer. VRRPv2 always sums the message alone.
enum class ChecksumMode : std::uint8_t {
    // RFC 5798 §5.2.8: pseudo-header with the packet's real source and destination.
    // What keepalived (since 1.3.6), tcpdump and Wireshark use.
    pseudo_header,
    // The VRRP message alone, as some vendors send v3 over IPv4.
    message_only,
    // Pseudo-header whose destination is always the multicast group, even for unicast
    // peers: keepalived's `old_unicast_checksum` (its behaviour before 1.3.6).
    pseudo_header_multicast,
};

// RFC 3768 §5.3.6; types 1 and 2 are "reserved" there but keepalived still speaks type 1
// (RFC 2338's simple text password). Type 2 (IP AH) is not supported.
enum class AuthType : std::uint8_t { none = 0, simple_text = 1, ip_ah = 2 };

inline constexpr std::uint8_t kProtocolVrrp = 112;  // IP protocol number
inline constexpr std::uint8_t kRequiredTtl = 255;   // RFC 5798 §5.1.1.3, §7.1
inline constexpr std::uint8_t kTypeAdvertisement = 1;
inline constexpr std::uint8_t kPriorityOwner = 255;  // RFC 5798 §5.2.4
inline constexpr std::uint8_t kPriorityDefault = 100;
inline constexpr std::uint8_t kPriorityStop = 0;         // "the current Master has stopped"
inline constexpr std::size_t kHeaderSize = 8;            // through the checksum field
inline constexpr std::size_t kAuthDataSize = 8;          // v2 only
inline constexpr std::uint16_t kMaxIntervalV3 = 0x0fff;  // 12 bits of centiseconds

std::string_view to_string(Version version);
std::string_view to_string(ChecksumMode mode);

}  // namespace pgfront::vrrp
