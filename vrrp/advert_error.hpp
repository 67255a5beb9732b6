// AdvertError: why a received VRRP packet was dropped, one countable reason each, in the
// order RFC 5798 §7.1 (RFC 3768 §7.1 for v2) checks them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pgfront::vrrp {

enum class AdvertError : std::uint8_t {
    // The surrounding IPv4 header (raw sockets deliver it).
    ip_too_short,   // fewer than 20 bytes
    ip_bad_header,  // not version 4, header length < 20 or beyond the data, total < header
    ip_truncated,   // total length says more than was received
    ip_not_vrrp,    // protocol is not 112
    // The VRRP message.
    bad_ttl,          // IPv4 TTL / IPv6 hop limit is not 255
    too_short,        // shorter than the 8-byte fixed header
    bad_version,      // not 2 or 3, or not the version this router speaks
    bad_type,         // not 1 (ADVERTISEMENT)
    no_addresses,     // Count IPvX Addrs is 0 (RFC 9568 §5.2.5, verified erratum 8299)
    truncated,        // shorter than "Count IPvX Addrs" (and v2 auth data) need
    length_mismatch,  // longer than the address count explains
    bad_checksum,
    wrong_vrid,             // not our virtual router
    auth_mismatch,          // v2: auth type or password differ from ours
    address_list_mismatch,  // the addresses differ from ours and the sender is not owner
    interval_mismatch,      // v2: Adver Int differs from ours (RFC 3768 §7.1)
    bad_interval,           // v3: Max Adver Int is 0
};
inline constexpr std::size_t kAdvertErrorCount =
    static_cast<std::size_t>(AdvertError::bad_interval) + 1;

std::string_view to_string(AdvertError error);

}  // namespace pgfront::vrrp
