// The raw protocol-112 socket (see vrrp_socket.hpp).
#include "vip/vrrp_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "vrrp/wire.hpp"

namespace pgfront::vip {

namespace {

void set_option(int fd, int level, int name, const void* value, socklen_t size, const char* what) {
    if (setsockopt(fd, level, name, value, size) != 0) {
        throw std::system_error(errno, std::generic_category(), what);
    }
}

sockaddr_in to_sockaddr(const vrrp::IpAddress& address) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    std::memcpy(&sa.sin_addr, address.bytes().data(), 4);
    return sa;
}

}  // namespace

VrrpSocket::VrrpSocket(const std::string& interface, int ifindex, bool join_group) : buf_(65536) {
    fd_ = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, vrrp::kProtocolVrrp);
    if (fd_ < 0) {
        throw std::system_error(errno, std::generic_category(), "raw socket for protocol 112");
    }
    try {
        const int on = 1;
        const int off = 0;
        set_option(fd_, SOL_SOCKET, SO_BINDTODEVICE, interface.c_str(),
                   static_cast<socklen_t>(interface.size() + 1), "SO_BINDTODEVICE");
        set_option(fd_, IPPROTO_IP, IP_HDRINCL, &on, sizeof on, "IP_HDRINCL");
        set_option(fd_, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof off, "IP_MULTICAST_LOOP");
        const int ttl = vrrp::kRequiredTtl;
        set_option(fd_, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl, "IP_MULTICAST_TTL");
        ip_mreqn mreq{};
        mreq.imr_ifindex = ifindex;
        set_option(fd_, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof mreq, "IP_MULTICAST_IF");
        if (join_group) {
            const auto group = vrrp::vrrp_multicast_group(vrrp::Family::ipv4);
            std::memcpy(&mreq.imr_multiaddr, group.bytes().data(), 4);
            set_option(fd_, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq,
                       "IP_ADD_MEMBERSHIP 224.0.0.18");
        }
    } catch (...) {
        close(fd_);
        throw;
    }
}

VrrpSocket::~VrrpSocket() {
    if (fd_ >= 0) close(fd_);
}

int VrrpSocket::send(std::span<const std::byte> datagram, const vrrp::IpAddress& destination) {
    const sockaddr_in sa = to_sockaddr(destination);
    for (int attempt = 0; attempt < 3; ++attempt) {
        const ssize_t n = sendto(fd_, datagram.data(), datagram.size(), 0,
                                 reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
        if (n >= 0) return 0;
        if (errno != EINTR) return errno;
    }
    return EINTR;
}

std::optional<std::span<const std::byte>> VrrpSocket::receive() {
    for (int attempt = 0; attempt < 3; ++attempt) {
        const ssize_t n = recv(fd_, buf_.data(), buf_.size(), MSG_DONTWAIT);
        if (n >= 0) return std::span<const std::byte>(buf_.data(), static_cast<std::size_t>(n));
        if (errno != EINTR) return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace pgfront::vip
