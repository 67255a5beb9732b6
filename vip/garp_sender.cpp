// Gratuitous ARP over AF_PACKET (see garp_sender.hpp).
#include "vip/garp_sender.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace pgfront::vip {

std::array<std::byte, kArpPacketSize> build_gratuitous_arp(const MacAddress& mac,
                                                           const vrrp::IpAddress& address) {
    std::array<std::byte, kArpPacketSize> p{};
    auto put16 = [&](std::size_t at, std::uint16_t v) {
        p[at] = static_cast<std::byte>(v >> 8);
        p[at + 1] = static_cast<std::byte>(v & 0xff);
    };
    put16(0, 1);       // hardware type: Ethernet
    put16(2, 0x0800);  // protocol type: IPv4
    p[4] = std::byte{6};
    p[5] = std::byte{4};
    put16(6, 1);  // ARP request
    for (std::size_t i = 0; i < 6; ++i) p[8 + i] = static_cast<std::byte>(mac[i]);
    const auto ip = address.bytes();
    std::memcpy(&p[14], ip.data(), 4);  // sender protocol address
    // target hardware address 18..23 stays zero
    std::memcpy(&p[24], ip.data(), 4);  // target protocol address
    return p;
}

GarpSender::GarpSender(int ifindex, const MacAddress& mac) : ifindex_(ifindex), mac_(mac) {
    // Protocol 0: this socket receives nothing; sendto() names ETH_P_ARP per packet.
    fd_ = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        throw std::system_error(errno, std::generic_category(), "AF_PACKET socket for ARP");
    }
}

GarpSender::~GarpSender() {
    if (fd_ >= 0) close(fd_);
}

unsigned GarpSender::send(const vrrp::IpAddress& address, unsigned count) {
    const auto packet = build_gratuitous_arp(mac_, address);
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(ETH_P_ARP);
    to.sll_ifindex = ifindex_;
    to.sll_halen = 6;
    std::memset(to.sll_addr, 0xff, 6);
    unsigned sent = 0;
    for (unsigned i = 0; i < count; ++i) {
        const ssize_t n = sendto(fd_, packet.data(), packet.size(), 0,
                                 reinterpret_cast<const sockaddr*>(&to), sizeof to);
        if (n == static_cast<ssize_t>(packet.size())) ++sent;
    }
    return sent;
}

}  // namespace pgfront::vip
