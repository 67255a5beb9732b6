// RouterSettings: what one virtual router is configured with, named after keepalived's
// vrrp_instance keywords so the YAML `vip:` section maps onto it one to one.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vrrp/ip_address.hpp"
#include "vrrp/wire.hpp"

namespace pgfront::vrrp {

// A virtual IP with the prefix it is added with ("198.18.0.100/24"). Only the address
// travels in adverts; the prefix is for the interface.
struct VirtualAddress {
    IpAddress address;
    std::uint8_t prefix_length = 32;

    // "A.B.C.D", "A.B.C.D/N", "X:Y::Z", "X:Y::Z/N"; no prefix means a host route (/32, /128).
    static std::optional<VirtualAddress> parse(std::string_view text);
    std::string to_string() const;
    friend bool operator==(const VirtualAddress&, const VirtualAddress&) = default;
};

struct RouterSettings {
    std::string interface;                     // `interface`
    std::vector<VirtualAddress> addresses;     // `address` (keepalived: virtual_ipaddress)
    std::uint8_t vrid = 0;                     // `vrid` (virtual_router_id), 1..255, required
    std::uint8_t priority = kPriorityDefault;  // 1..255; 255 = address owner
    Version version = Version::v3;             // `version` (vrrp_version)
    // `advert_interval` (advert_int): v2 whole seconds 1..255 s; v3 a multiple of 10 ms,
    // 10 ms..40.95 s.
    std::chrono::milliseconds advert_interval{1000};
    bool preempt = true;                         // keepalived: absence of `nopreempt`
    std::chrono::milliseconds preempt_delay{0};  // 0..1000 s, keepalived semantics
    std::vector<IpAddress> unicast_peers;        // empty: multicast to 224.0.0.18/ff02::12
    // Source of our adverts and our "primary IPvX Address" in elections (keepalived:
    // unicast_src_ip / mcast_src_ip). Unset: the interface's primary address, found by I/O.
    std::optional<IpAddress> source_address;
    std::string auth_pass;  // v2 only, at most 8 bytes; empty: auth type 0 (none)
    ChecksumMode checksum_mode = ChecksumMode::pseudo_header;  // v3 only
    // Gratuitous ARP (unsolicited NA for IPv6): a burst of `garp_master_repeat` when
    // becoming Master and another `garp_master_delay` later (0 s: no second burst).
    std::chrono::milliseconds garp_master_delay{5000};
    unsigned garp_master_repeat = 5;
    // A Master hearing a lower-priority advert answers with an advert at once (keepalived's
    // default, ends a dual-Master period one interval sooner). true = RFC 5798 §6.4.3 (770):
    // discard silently.
    bool lower_prio_no_advert = false;
    // RFC 5798 §7.1: drop adverts whose address list differs from ours, unless they come
    // from the address owner (priority 255).
    bool check_advert_addresses = true;

    Family family() const {
        return addresses.empty() ? Family::ipv4 : addresses.front().address.family();
    }
};

// Every problem with `settings`, one message each; empty when they are usable. Rejects
// out-of-range values rather than adjusting them.
std::vector<std::string> check_settings(const RouterSettings& settings);

// The advert interval as carried on the wire: v2 seconds, v3 centiseconds. Assumes
// check_settings() passed.
std::uint16_t interval_field(const RouterSettings& settings);

// The 8 bytes of v2 authentication data: the password padded with zeros.
std::array<std::byte, kAuthDataSize> auth_data(const RouterSettings& settings);

AuthType auth_type(const RouterSettings& settings);

}  // namespace pgfront::vrrp
