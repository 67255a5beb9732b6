// VrrpSocket: the raw IPv4 socket for IP protocol 112 on one interface. We build the IP
// header ourselves (IP_HDRINCL: TTL 255, TOS 0xc0, our primary address as source); the
// kernel delivers received datagrams with their header, which the codec checks.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vrrp/ip_address.hpp"

namespace pgfront::vip {

class VrrpSocket {
  public:
    // Binds to `interface` (SO_BINDTODEVICE), turns multicast loop off and, when
    // `join_group`, joins 224.0.0.18 there. Throws std::system_error.
    VrrpSocket(const std::string& interface, int ifindex, bool join_group);
    ~VrrpSocket();
    VrrpSocket(const VrrpSocket&) = delete;
    VrrpSocket& operator=(const VrrpSocket&) = delete;

    int fd() const { return fd_; }
    // Sends a datagram built with its IPv4 header. Returns 0 or errno.
    int send(std::span<const std::byte> datagram, const vrrp::IpAddress& destination);
    // One queued datagram (valid until the next call), or nullopt when none is queued.
    std::optional<std::span<const std::byte>> receive();

  private:
    int fd_ = -1;
    std::vector<std::byte> buf_;
};

}  // namespace pgfront::vip
