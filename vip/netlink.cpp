// rtnetlink requests with libmnl (see netlink.hpp).
#include "vip/netlink.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace pgfront::vip {

namespace {

std::system_error os_error(int error, const std::string& what) {
    return std::system_error(error, std::generic_category(), what);
}

mnl_socket* open_route_socket(unsigned groups) {
    mnl_socket* s = mnl_socket_open(NETLINK_ROUTE);
    if (s == nullptr) throw os_error(errno, "netlink socket");
    if (mnl_socket_bind(s, groups, MNL_SOCKET_AUTOPID) < 0) {
        const int error = errno;
        mnl_socket_close(s);
        throw os_error(error, "netlink bind");
    }
    return s;
}

struct LinkParse {
    LinkInfo info;
    bool found = false;
    bool deleted = false;
    int want_index = 0;  // 0: any
};

int link_attr(const nlattr* attr, void* data) {
    auto* info = static_cast<LinkInfo*>(data);
    switch (mnl_attr_get_type(attr)) {
        case IFLA_IFNAME:
            if (mnl_attr_validate(attr, MNL_TYPE_STRING) >= 0) {
                info->name = mnl_attr_get_str(attr);
            }
            break;
        case IFLA_ADDRESS:
            if (mnl_attr_get_payload_len(attr) == 6) {
                std::array<std::uint8_t, 6> mac{};
                std::memcpy(mac.data(), mnl_attr_get_payload(attr), 6);
                info->mac = mac;
            }
            break;
        default:
            break;
    }
    return MNL_CB_OK;
}

int link_message(const nlmsghdr* nlh, void* data) {
    auto* parse = static_cast<LinkParse*>(data);
    if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) return MNL_CB_OK;
    if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(ifinfomsg))) return MNL_CB_OK;
    const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
    if (parse->want_index != 0 && ifi->ifi_index != parse->want_index) return MNL_CB_OK;
    LinkInfo info;
    info.index = ifi->ifi_index;
    info.flags = ifi->ifi_flags;
    mnl_attr_parse(nlh, sizeof(ifinfomsg), link_attr, &info);
    parse->info = std::move(info);
    parse->found = true;
    parse->deleted = nlh->nlmsg_type == RTM_DELLINK;
    return MNL_CB_OK;
}

struct AddressParse {
    int index = 0;
    std::vector<InterfaceAddress> addresses;
};

struct AddressAttrs {
    std::optional<vrrp::IpAddress> local;
    std::optional<vrrp::IpAddress> address;
    std::optional<std::uint32_t> flags;
};

int address_attr(const nlattr* attr, void* data) {
    auto* attrs = static_cast<AddressAttrs*>(data);
    const auto type = mnl_attr_get_type(attr);
    const auto len = mnl_attr_get_payload_len(attr);
    const auto* payload = static_cast<const std::byte*>(mnl_attr_get_payload(attr));
    if ((type == IFA_LOCAL || type == IFA_ADDRESS) && len == 4) {
        (type == IFA_LOCAL ? attrs->local : attrs->address) =
            vrrp::IpAddress::from_bytes(std::span<const std::byte>(payload, 4));
    } else if (type == IFA_FLAGS && len == 4) {
        attrs->flags = mnl_attr_get_u32(attr);
    }
    return MNL_CB_OK;
}

int address_message(const nlmsghdr* nlh, void* data) {
    auto* parse = static_cast<AddressParse*>(data);
    if (nlh->nlmsg_type != RTM_NEWADDR) return MNL_CB_OK;
    if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(ifaddrmsg))) return MNL_CB_OK;
    const auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
    if (ifa->ifa_family != AF_INET || static_cast<int>(ifa->ifa_index) != parse->index) {
        return MNL_CB_OK;
    }
    AddressAttrs attrs;
    mnl_attr_parse(nlh, sizeof(ifaddrmsg), address_attr, &attrs);
    const std::uint32_t flags = attrs.flags.value_or(ifa->ifa_flags);
    const auto ip = attrs.local ? attrs.local : attrs.address;
    if (ip) {
        parse->addresses.push_back({*ip, ifa->ifa_prefixlen, (flags & IFA_F_SECONDARY) != 0});
    }
    return MNL_CB_OK;
}

void put_ipv4(nlmsghdr* nlh, std::uint16_t type, const vrrp::IpAddress& address) {
    mnl_attr_put(nlh, type, 4, address.bytes().data());
}

}  // namespace

bool LinkInfo::usable() const {
    return (flags & IFF_UP) != 0 && (flags & IFF_RUNNING) != 0;
}

Rtnetlink::Rtnetlink() : buf_(MNL_SOCKET_BUFFER_SIZE) {
    socket_ = open_route_socket(0);
    port_id_ = mnl_socket_get_portid(socket_);
    // The kernel answers at once; a bound keeps a wedged netlink from hanging shutdown.
    timeval timeout{2, 0};
    setsockopt(mnl_socket_get_fd(socket_), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
}

Rtnetlink::~Rtnetlink() {
    if (socket_ != nullptr) mnl_socket_close(socket_);
}

int Rtnetlink::transact(nlmsghdr* request, int (*cb)(const nlmsghdr*, void*), void* data) {
    const unsigned seq = ++sequence_;
    request->nlmsg_seq = seq;
    if (mnl_socket_sendto(socket_, request, request->nlmsg_len) < 0) {
        throw os_error(errno, "netlink send");
    }
    // Bounded: a reply is a few messages; a dump of addresses a few more.
    for (int i = 0; i < 100000; ++i) {
        const ssize_t n = mnl_socket_recvfrom(socket_, buf_.data(), buf_.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw os_error(errno, "netlink receive");
        }
        const int ret = mnl_cb_run(buf_.data(), static_cast<size_t>(n), seq, port_id_, cb, data);
        if (ret == MNL_CB_ERROR) return errno != 0 ? errno : EIO;
        if (ret == MNL_CB_STOP) return 0;
    }
    throw os_error(EIO, "netlink: reply without end");
}

std::optional<LinkInfo> Rtnetlink::get_link(int index, const std::string* name) {
    std::vector<char> request(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = mnl_nlmsg_put_header(request.data());
    nlh->nlmsg_type = RTM_GETLINK;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = index;
    if (name != nullptr) mnl_attr_put_strz(nlh, IFLA_IFNAME, name->c_str());
    LinkParse parse;
    const int error = transact(nlh, link_message, &parse);
    if (error == ENODEV) return std::nullopt;
    if (error != 0) throw os_error(error, "netlink: get link");
    if (!parse.found) return std::nullopt;
    return parse.info;
}

std::optional<LinkInfo> Rtnetlink::link(const std::string& name) {
    return get_link(0, &name);
}

std::optional<LinkInfo> Rtnetlink::link(int index) {
    return get_link(index, nullptr);
}

std::vector<InterfaceAddress> Rtnetlink::ipv4_addresses(int index) {
    std::vector<char> request(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = mnl_nlmsg_put_header(request.data());
    nlh->nlmsg_type = RTM_GETADDR;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
    ifa->ifa_family = AF_INET;
    AddressParse parse;
    parse.index = index;
    const int error = transact(nlh, address_message, &parse);
    if (error != 0) throw os_error(error, "netlink: list addresses");
    return parse.addresses;
}

bool Rtnetlink::add_address(int index, const vrrp::IpAddress& address, std::uint8_t prefix_length) {
    std::vector<char> request(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = mnl_nlmsg_put_header(request.data());
    nlh->nlmsg_type = RTM_NEWADDR;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
    auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = prefix_length;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = static_cast<unsigned>(index);
    put_ipv4(nlh, IFA_LOCAL, address);
    put_ipv4(nlh, IFA_ADDRESS, address);
    const int error = transact(nlh, nullptr, nullptr);
    if (error == EEXIST) return false;
    if (error != 0) throw os_error(error, "netlink: add " + address.to_string());
    return true;
}

bool Rtnetlink::remove_address(int index, const vrrp::IpAddress& address,
                               std::uint8_t prefix_length) {
    std::vector<char> request(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = mnl_nlmsg_put_header(request.data());
    nlh->nlmsg_type = RTM_DELADDR;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = prefix_length;
    ifa->ifa_index = static_cast<unsigned>(index);
    put_ipv4(nlh, IFA_LOCAL, address);
    const int error = transact(nlh, nullptr, nullptr);
    if (error == EADDRNOTAVAIL || error == ENODEV) return false;
    if (error != 0) throw os_error(error, "netlink: remove " + address.to_string());
    return true;
}

LinkEvents::LinkEvents() : buf_(MNL_SOCKET_BUFFER_SIZE) {
    socket_ = open_route_socket(RTMGRP_LINK);
    const int fd = mnl_socket_get_fd(socket_);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

LinkEvents::~LinkEvents() {
    if (socket_ != nullptr) mnl_socket_close(socket_);
}

int LinkEvents::fd() const {
    return mnl_socket_get_fd(socket_);
}

LinkEvents::Drained LinkEvents::drain(int index) {
    Drained out;
    for (int i = 0; i < 1000; ++i) {  // bounded: what is queued now
        const ssize_t n = recv(fd(), buf_.data(), buf_.size(), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOBUFS) {
                out.overrun = true;
                continue;
            }
            break;  // EAGAIN: nothing more
        }
        LinkParse parse;
        parse.want_index = index;
        mnl_cb_run(buf_.data(), static_cast<size_t>(n), 0, 0, link_message, &parse);
        if (parse.found) {
            if (parse.deleted) {
                out.removed = true;
            } else {
                out.latest = parse.info;
            }
        }
    }
    return out;
}

std::optional<vrrp::IpAddress> primary_address(const std::vector<InterfaceAddress>& addresses,
                                               const vrrp::IpAddress& vip) {
    for (const auto& a : addresses) {
        if (!a.secondary && a.address != vip) return a.address;
    }
    for (const auto& a : addresses) {
        if (a.address != vip) return a.address;
    }
    return std::nullopt;
}

}  // namespace pgfront::vip
