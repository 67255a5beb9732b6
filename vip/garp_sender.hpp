// Gratuitous ARP: an ARP request for the VIP from the VIP (RFC 5227 §2.3 "ARP
// Announcement"), broadcast from the interface's own MAC so switches and neighbours move
// the VIP to this host. Sent through an AF_PACKET socket that receives nothing.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "vrrp/ip_address.hpp"

namespace pgfront::vip {

using MacAddress = std::array<std::uint8_t, 6>;
inline constexpr std::size_t kArpPacketSize = 28;

// Pure: the ARP payload (Ethernet/IPv4, opcode request, sender = target = `address`,
// sender MAC `mac`, target MAC zero).
std::array<std::byte, kArpPacketSize> build_gratuitous_arp(const MacAddress& mac,
                                                           const vrrp::IpAddress& address);

class GarpSender {
  public:
    // Throws std::system_error.
    GarpSender(int ifindex, const MacAddress& mac);
    ~GarpSender();
    GarpSender(const GarpSender&) = delete;
    GarpSender& operator=(const GarpSender&) = delete;

    // Sends `count` announcements back to back; returns how many went out.
    unsigned send(const vrrp::IpAddress& address, unsigned count);

  private:
    int fd_ = -1;
    int ifindex_ = 0;
    MacAddress mac_{};
};

}  // namespace pgfront::vip
