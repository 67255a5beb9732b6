// rtnetlink through libmnl: what the speaker needs to know about its interface (index, MAC,
// up/running, IPv4 addresses) and the two changes it makes (add / remove the VIP), plus a
// non-blocking subscription to link changes. Synchronous: the kernel answers at once.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vrrp/ip_address.hpp"

struct mnl_socket;
struct nlmsghdr;

namespace pgfront::vip {

struct LinkInfo {
    int index = 0;
    std::string name;
    std::optional<std::array<std::uint8_t, 6>> mac;  // Ethernet-like links only
    unsigned flags = 0;                              // IFF_*
    // keepalived's test: administratively up and the driver says running (carrier).
    bool usable() const;
};

struct InterfaceAddress {
    vrrp::IpAddress address;
    std::uint8_t prefix_length = 32;
    bool secondary = false;  // IFA_F_SECONDARY: another address of the same subnet came first
};

// Request/response socket. Errors other than the expected ones throw std::system_error.
class Rtnetlink {
  public:
    Rtnetlink();
    ~Rtnetlink();
    Rtnetlink(const Rtnetlink&) = delete;
    Rtnetlink& operator=(const Rtnetlink&) = delete;

    std::optional<LinkInfo> link(const std::string& name);  // nullopt: no such interface
    std::optional<LinkInfo> link(int index);
    std::vector<InterfaceAddress> ipv4_addresses(int index);
    // True when added, false when it was there already.
    bool add_address(int index, const vrrp::IpAddress& address, std::uint8_t prefix_length);
    // True when removed, false when it was not there.
    bool remove_address(int index, const vrrp::IpAddress& address, std::uint8_t prefix_length);

  private:
    std::optional<LinkInfo> get_link(int index, const std::string* name);
    // Sends the request in buf_ and runs `cb` over every reply until the kernel is done.
    // Returns 0 or the errno the kernel answered with.
    int transact(nlmsghdr* request, int (*cb)(const nlmsghdr*, void*), void* data);

    mnl_socket* socket_ = nullptr;
    unsigned port_id_ = 0;
    unsigned sequence_ = 0;
    std::vector<char> buf_;
};

// RTMGRP_LINK notifications, read without blocking when fd() is readable.
class LinkEvents {
  public:
    LinkEvents();
    ~LinkEvents();
    LinkEvents(const LinkEvents&) = delete;
    LinkEvents& operator=(const LinkEvents&) = delete;

    int fd() const;

    struct Drained {
        std::optional<LinkInfo> latest;  // the last state reported for the index
        bool removed = false;            // RTM_DELLINK for the index
        bool overrun = false;            // the kernel dropped notifications (ENOBUFS): ask afresh
    };
    Drained drain(int index);

  private:
    mnl_socket* socket_ = nullptr;
    std::vector<char> buf_;
};

// The address adverts are sent from when none is configured: the interface's first IPv4
// address that is not secondary and is not `vip`; else its first address that is not `vip`.
std::optional<vrrp::IpAddress> primary_address(const std::vector<InterfaceAddress>& addresses,
                                               const vrrp::IpAddress& vip);

}  // namespace pgfront::vip
