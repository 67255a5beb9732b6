// IpAddress: an IPv4 or IPv6 address as the bytes that travel on the wire (network order),
// ordered the way RFC 5798 §6.4.3 compares "primary IPvX Address" values.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pgfront::vrrp {

enum class Family : std::uint8_t { ipv4, ipv6 };

class IpAddress {
  public:
    static constexpr std::size_t kV4Size = 4;
    static constexpr std::size_t kV6Size = 16;

    // 0.0.0.0
    constexpr IpAddress() = default;

    static constexpr IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
        IpAddress ip;
        ip.bytes_[0] = std::byte{a};
        ip.bytes_[1] = std::byte{b};
        ip.bytes_[2] = std::byte{c};
        ip.bytes_[3] = std::byte{d};
        return ip;
    }
    // `bytes` must hold exactly 4 (IPv4) or 16 (IPv6) bytes; anything else gives nullopt.
    static std::optional<IpAddress> from_bytes(std::span<const std::byte> bytes);
    // Dotted quad or RFC 4291 text; no prefix, no zone, no surrounding blanks.
    static std::optional<IpAddress> parse(std::string_view text);

    constexpr Family family() const { return family_; }
    constexpr std::size_t size() const { return family_ == Family::ipv4 ? kV4Size : kV6Size; }
    std::span<const std::byte> bytes() const { return {bytes_.data(), size()}; }
    bool is_multicast() const;
    std::string to_string() const;

    // IPv4 sorts before IPv6; within a family, numeric order of the network-order value.
    // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads the defaulted <=>
    friend constexpr std::strong_ordering operator<=>(const IpAddress&, const IpAddress&) = default;
    friend constexpr bool operator==(const IpAddress&, const IpAddress&) = default;

  private:
    Family family_ = Family::ipv4;
    std::array<std::byte, kV6Size> bytes_{};  // IPv4 uses the first 4, the rest stay zero
};

// The VRRP multicast group: 224.0.0.18 (RFC 5798 §5.1.1.2) or ff02::12 (§5.1.2.2).
IpAddress vrrp_multicast_group(Family family);

}  // namespace pgfront::vrrp
