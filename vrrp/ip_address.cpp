// IpAddress parsing and printing (inet_pton/inet_ntop are pure text conversions).
#include "vrrp/ip_address.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace pgfront::vrrp {

std::optional<IpAddress> IpAddress::from_bytes(std::span<const std::byte> bytes) {
    IpAddress ip;
    if (bytes.size() == kV4Size) {
        ip.family_ = Family::ipv4;
    } else if (bytes.size() == kV6Size) {
        ip.family_ = Family::ipv6;
    } else {
        return std::nullopt;
    }
    std::copy(bytes.begin(), bytes.end(), ip.bytes_.begin());
    return ip;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
    const std::string copy(text);  // inet_pton needs a terminated string
    std::array<std::byte, kV6Size> raw{};
    if (copy.find(':') == std::string::npos) {
        if (inet_pton(AF_INET, copy.c_str(), raw.data()) != 1) return std::nullopt;
        return from_bytes(std::span(raw).first(kV4Size));
    }
    if (inet_pton(AF_INET6, copy.c_str(), raw.data()) != 1) return std::nullopt;
    return from_bytes(raw);
}

bool IpAddress::is_multicast() const {
    const auto first = std::to_integer<unsigned>(bytes_[0]);
    return family_ == Family::ipv4 ? (first & 0xf0U) == 0xe0U : first == 0xffU;
}

std::string IpAddress::to_string() const {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(family_ == Family::ipv4 ? AF_INET : AF_INET6, bytes_.data(), text, sizeof text);
    return text;
}

IpAddress vrrp_multicast_group(Family family) {
    if (family == Family::ipv4) return IpAddress::v4(224, 0, 0, 18);
    std::array<std::byte, IpAddress::kV6Size> raw{};
    raw[0] = std::byte{0xff};
    raw[1] = std::byte{0x02};
    raw[15] = std::byte{0x12};
    return *IpAddress::from_bytes(raw);
}

}  // namespace pgfront::vrrp
