// The VRRP ADVERTISEMENT codec: a zero-copy view over received bytes, the receive checks of
// RFC 5798 §7.1 / RFC 3768 §7.1, and a writer that appends adverts to a caller's buffer.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "vrrp/advert_error.hpp"
#include "vrrp/ip_address.hpp"
#include "vrrp/router_settings.hpp"
#include "vrrp/wire.hpp"

namespace pgfront::vrrp {

// The IP layer around a VRRP message: from the IPv4 header, or for IPv6 from the socket
// (source address, IPV6_RECVPKTINFO destination, IPV6_RECVHOPLIMIT).
struct PacketInfo {
    IpAddress source;
    IpAddress destination;
    std::uint8_t ttl = kRequiredTtl;  // IPv4 TTL or IPv6 hop limit
};

// A decoded advert. Only decode_advert() makes non-empty views, so every accessor may
// assume the layout was checked; the view borrows the bytes it was decoded from.
class AdvertView {
  public:
    AdvertView() = default;

    Version version() const { return static_cast<Version>(u8(0) >> 4); }
    std::uint8_t type() const { return u8(0) & 0x0f; }
    std::uint8_t vrid() const { return u8(1); }
    std::uint8_t priority() const { return u8(2); }
    std::size_t address_count() const { return u8(3); }
    // v2: Auth Type; v3: 0 (the byte holds reserved bits and the interval).
    AuthType auth_type() const;
    // As on the wire: v2 Adver Int in seconds; v3 Max Adver Int in centiseconds (the 4
    // reserved bits are ignored, RFC 5798 §5.2.6).
    std::uint16_t interval_field() const;
    std::chrono::milliseconds advert_interval() const;
    std::uint16_t checksum() const { return static_cast<std::uint16_t>(u8(6) << 8 | u8(7)); }
    Family family() const { return family_; }
    IpAddress address(std::size_t index) const;  // index < address_count()
    // v2: the 8 bytes of Authentication Data; v3: empty.
    std::span<const std::byte> auth_data() const;
    std::span<const std::byte> bytes() const { return bytes_; }

  private:
    friend struct AdvertDecoder;
    AdvertView(std::span<const std::byte> bytes, Family family) : bytes_(bytes), family_(family) {}
    std::uint8_t u8(std::size_t at) const { return std::to_integer<std::uint8_t>(bytes_[at]); }

    std::span<const std::byte> bytes_;
    Family family_ = Family::ipv4;
};

struct AdvertResult {
    std::optional<AdvertError> error;
    AdvertView advert;  // meaningful when ok()
    PacketInfo info;    // as given, or read from the IPv4 header
    bool ok() const { return !error; }
};

// Structure and checksum: too_short, bad_version (not 2/3; v2 over IPv6), bad_type,
// no_addresses, truncated, length_mismatch, bad_checksum. `message` starts at the version
// field; the address family comes from `info.source`; `mode` matters for v3 only.
AdvertResult decode_advert(std::span<const std::byte> message, const PacketInfo& info,
                           ChecksumMode mode);

// Checks a decoded advert against our settings, after decode_advert: bad_version,
// wrong_vrid, auth_mismatch, address_list_mismatch, interval_mismatch, bad_interval.
// (The address-owner rule of §7.1 depends on our current priority: VirtualRouter reports
// it, and processes the advert anyway per RFC 9568 erratum 8298.)
std::optional<AdvertError> check_advert(const AdvertView& advert, const RouterSettings& settings);

// Every check of RFC 5798 §7.1 in its order: TTL, decode, check_advert. For IPv6, or
// whenever the IP header was taken apart elsewhere.
AdvertResult receive_advert(std::span<const std::byte> message, const PacketInfo& info,
                            const RouterSettings& settings);

// As receive_advert, for what a raw IPv4 socket delivers: the datagram with its header.
AdvertResult receive_ipv4_datagram(std::span<const std::byte> datagram,
                                   const RouterSettings& settings);

// Bytes of one advert: 8 + count × (4 or 16), plus 8 bytes of auth data for v2.
std::size_t advert_size(Version version, Family family, std::size_t address_count);

// The fields of an advert to build.
struct AdvertFields {
    Version version = Version::v3;
    std::uint8_t vrid = 0;
    std::uint8_t priority = kPriorityDefault;
    std::uint16_t interval = 0;  // wire units: v2 seconds (≤ 255), v3 centiseconds (≤ 4095)
    std::span<const IpAddress> addresses;
    AuthType auth_type = AuthType::none;               // v2 only
    std::array<std::byte, kAuthDataSize> auth_data{};  // v2 only
};

// Appends one advert with its checksum (v3: pseudo-header from source/destination per
// `mode`). False, with nothing appended, when the fields cannot be encoded: unknown
// version, interval 0 or out of range, no address or more than 255, mixed families, v2 with
// IPv6, or a source/destination family that differs from the addresses'.
[[nodiscard]] bool build_advert(std::vector<std::byte>& out, const AdvertFields& fields,
                                ChecksumMode mode, const IpAddress& source,
                                const IpAddress& destination);

// The advert a router with `settings` sends with `priority` (its effective priority, or 0
// when leaving Master) from `source` to `destination` (the multicast group or one unicast
// peer: v3 checksums differ per destination).
[[nodiscard]] bool build_advert(std::vector<std::byte>& out, const RouterSettings& settings,
                                std::uint8_t priority, const IpAddress& source,
                                const IpAddress& destination);

}  // namespace pgfront::vrrp
