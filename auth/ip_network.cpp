// IPv4/IPv6 parsing (inet_pton/inet_ntop: pure text conversions, no sockets) and CIDR
// containment.
#include "auth/ip_network.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace pgfront::auth {

namespace {

constexpr std::array<std::uint8_t, 12> kV4MappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// "\"text\"" built by appending (g++ 12 warns falsely, -Wrestrict, on "literal" + string).
std::string quoted(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out.push_back('"');
    out.append(text);
    out.push_back('"');
    return out;
}

bool is_v4_mapped(std::span<const std::uint8_t> v6) {
    return std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), v6.begin());
}

// Bits [prefix, size*8) of `bytes` are all zero.
bool host_bits_zero(std::span<const std::uint8_t> bytes, int prefix) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const int bit = static_cast<int>(i) * 8;
        std::uint8_t mask = 0;
        if (prefix >= bit + 8) {
            mask = 0;
        } else if (prefix <= bit) {
            mask = 0xff;
        } else {
            mask = static_cast<std::uint8_t>(0xff >> (prefix - bit));
        }
        if ((bytes[i] & mask) != 0) return false;
    }
    return true;
}

}  // namespace

std::optional<IpAddress> IpAddress::from_bytes(std::span<const std::uint8_t> bytes) {
    IpAddress ip;
    if (bytes.size() == 4) {
        std::copy(bytes.begin(), bytes.end(), ip.bytes_.begin());
        return ip;
    }
    if (bytes.size() != 16) return std::nullopt;
    if (is_v4_mapped(bytes)) {
        std::copy(bytes.begin() + 12, bytes.end(), ip.bytes_.begin());
        return ip;
    }
    ip.family_ = Family::v6;
    std::copy(bytes.begin(), bytes.end(), ip.bytes_.begin());
    return ip;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    if (text.empty() || text.size() > 64) return std::nullopt;
    const std::string z(text);  // inet_pton wants a NUL-terminated string
    std::array<std::uint8_t, 16> buffer{};
    if (inet_pton(AF_INET, z.c_str(), buffer.data()) == 1) {
        return from_bytes(std::span<const std::uint8_t>(buffer.data(), 4));
    }
    if (inet_pton(AF_INET6, z.c_str(), buffer.data()) == 1) return from_bytes(buffer);
    return std::nullopt;
}

std::string IpAddress::to_string() const {
    char buffer[INET6_ADDRSTRLEN] = {};
    inet_ntop(family_ == Family::v4 ? AF_INET : AF_INET6, bytes_.data(), buffer, sizeof buffer);
    return buffer;
}

Result<IpNetwork, std::string> IpNetwork::parse(std::string_view text) {
    const auto slash = text.find('/');
    const std::string_view address_text = text.substr(0, slash);
    const auto address = IpAddress::parse(address_text);
    if (!address) {
        return quoted(address_text) +
               " is not an IPv4 or IPv6 address (host names are not supported)";
    }
    const auto v6_text_mapped = address->family() == IpAddress::Family::v4 &&
                                address_text.find(':') != std::string_view::npos;
    if (v6_text_mapped) {
        return std::string("IPv4-mapped IPv6 networks are not supported; write the IPv4 network");
    }
    const int max_prefix = address->family() == IpAddress::Family::v4 ? 32 : 128;

    IpNetwork network;
    network.address_ = *address;
    network.prefix_length_ = max_prefix;
    if (slash != std::string_view::npos) {
        const std::string_view prefix_text = text.substr(slash + 1);
        const char* end = prefix_text.data() + prefix_text.size();
        int prefix = -1;
        const auto [ptr, ec] = std::from_chars(prefix_text.data(), end, prefix);
        if (prefix_text.empty() || prefix_text.size() > 3 || ec != std::errc() || ptr != end ||
            prefix < 0 || prefix > max_prefix) {
            return "prefix length " + quoted(prefix_text) + " is not 0.." +
                   std::to_string(max_prefix);
        }
        network.prefix_length_ = prefix;
    }
    if (!host_bits_zero(address->bytes(), network.prefix_length_)) {
        return quoted(text) + " has bits set beyond the /" +
               std::to_string(network.prefix_length_) + " prefix";
    }
    return network;
}

bool IpNetwork::contains(const IpAddress& address) const {
    if (address.family() != address_.family()) return false;
    const auto a = address.bytes();
    const auto n = address_.bytes();
    int remaining = prefix_length_;
    for (std::size_t i = 0; i < a.size() && remaining > 0; ++i, remaining -= 8) {
        const auto mask =
            static_cast<std::uint8_t>(remaining >= 8 ? 0xff : 0xff << (8 - remaining));
        if ((a[i] & mask) != (n[i] & mask)) return false;
    }
    return true;
}

std::string IpNetwork::to_string() const {
    return address_.to_string() + "/" + std::to_string(prefix_length_);
}

}  // namespace pgfront::auth
