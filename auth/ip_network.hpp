// Client addresses and CIDR networks for the HBA allow list: IPv4 and IPv6 text forms and
// prefix containment. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack socket
// reports for an IPv4 client) is treated as the IPv4 address it carries.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "auth/result.hpp"

namespace pgfront::auth {

class IpAddress {
  public:
    enum class Family : std::uint8_t { v4, v6 };

    // Dotted quad or RFC 4291 text (no zone index, no brackets, no prefix). IPv4-mapped IPv6
    // text gives the IPv4 address.
    static std::optional<IpAddress> parse(std::string_view text);
    // Network-order bytes: 4 (IPv4) or 16 (IPv6, IPv4-mapped becomes IPv4); else nullopt.
    static std::optional<IpAddress> from_bytes(std::span<const std::uint8_t> bytes);

    Family family() const { return family_; }
    std::span<const std::uint8_t> bytes() const { return {bytes_.data(), size()}; }
    std::size_t size() const { return family_ == Family::v4 ? 4 : 16; }
    std::string to_string() const;

    friend bool operator==(const IpAddress&, const IpAddress&) = default;

  private:
    Family family_ = Family::v4;
    std::array<std::uint8_t, 16> bytes_{};
};

class IpNetwork {
  public:
    // "a.b.c.d/n" (n 0..32), "x::y/n" (n 0..128), or a bare address (a single host: /32 or
    // /128). Address bits beyond the prefix must be zero ("10.1.2.3/8" is rejected: write
    // 10.0.0.0/8, or 10.1.2.3/32 for one host). IPv4-mapped IPv6 networks are not accepted
    // (write the IPv4 network). Errors name what is wrong.
    static Result<IpNetwork, std::string> parse(std::string_view text);

    // False across families.
    bool contains(const IpAddress& address) const;

    const IpAddress& address() const { return address_; }
    int prefix_length() const { return prefix_length_; }
    std::string to_string() const;

  private:
    IpAddress address_;
    int prefix_length_ = 0;
};

}  // namespace pgfront::auth
