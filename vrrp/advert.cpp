// Decoding, checking and building VRRP adverts (RFC 3768 §5, RFC 5798 §5 and §7.1).
#include "vrrp/advert.hpp"

#include <algorithm>

#include "vrrp/checksum.hpp"
#include "vrrp/ipv4_header.hpp"

namespace pgfront::vrrp {

namespace {

std::size_t address_size(Family family) {
    return family == Family::ipv4 ? IpAddress::kV4Size : IpAddress::kV6Size;
}

bool known_version(unsigned version) {
    return version == static_cast<unsigned>(Version::v2) ||
           version == static_cast<unsigned>(Version::v3);
}

// The addresses in an advert equal ours as a set (order is not significant).
bool same_addresses(const AdvertView& advert, const RouterSettings& settings) {
    if (advert.address_count() != settings.addresses.size()) return false;
    for (std::size_t i = 0; i < advert.address_count(); ++i) {
        const IpAddress ip = advert.address(i);
        const bool ours = std::any_of(settings.addresses.begin(), settings.addresses.end(),
                                      [&](const VirtualAddress& vip) { return vip.address == ip; });
        if (!ours) return false;
    }
    return true;
}

struct Header {
    Version version;
    std::uint8_t vrid;
    std::uint8_t priority;
    std::uint16_t interval;
    AuthType auth_type;
    std::array<std::byte, kAuthDataSize> auth_data;
};

// Appends an advert whose addresses come from `address_at(i)`, i < count. The caller has
// checked that the fields are encodable.
template <class AddressAt>
void append_advert(std::vector<std::byte>& out, const Header& h, std::size_t count,
                   AddressAt address_at, ChecksumMode mode, const IpAddress& source,
                   const IpAddress& destination) {
    const std::size_t start = out.size();
    out.push_back(std::byte(static_cast<unsigned>(h.version) << 4 | kTypeAdvertisement));
    out.push_back(std::byte{h.vrid});
    out.push_back(std::byte{h.priority});
    out.push_back(std::byte(count));
    if (h.version == Version::v2) {
        out.push_back(std::byte(static_cast<std::uint8_t>(h.auth_type)));
        out.push_back(std::byte(h.interval & 0xff));
    } else {
        out.push_back(std::byte((h.interval >> 8) & 0x0f));  // 4 reserved bits stay zero
        out.push_back(std::byte(h.interval & 0xff));
    }
    out.push_back(std::byte{0});  // checksum, filled below
    out.push_back(std::byte{0});
    for (std::size_t i = 0; i < count; ++i) {
        const IpAddress ip = address_at(i);
        out.insert(out.end(), ip.bytes().begin(), ip.bytes().end());
    }
    if (h.version == Version::v2) {
        // RFC 3768 §5.3.10: zero for auth type 0 (password padded with zeros otherwise).
        out.insert(out.end(), h.auth_data.begin(), h.auth_data.end());
    }
    const auto message = std::span(out).subspan(start);
    const std::uint16_t sum = vrrp_checksum(message, h.version, mode, source, destination);
    out[start + 6] = std::byte(sum >> 8);
    out[start + 7] = std::byte(sum & 0xff);
}

// What both build_advert overloads check before appending anything.
bool encodable(const Header& h, std::size_t count, Family family, const IpAddress& source,
               const IpAddress& destination) {
    if (!known_version(static_cast<unsigned>(h.version)) || count == 0 || count > 255) {
        return false;
    }
    if (source.family() != family || destination.family() != family) return false;
    if (h.interval == 0) return false;
    if (h.version == Version::v2) return family == Family::ipv4 && h.interval <= 0xff;
    return h.interval <= kMaxIntervalV3;
}

}  // namespace

// Friend of AdvertView: the one place that makes non-empty views.
struct AdvertDecoder {
    static AdvertView make(std::span<const std::byte> bytes, Family family) {
        return AdvertView(bytes, family);
    }
};

AuthType AdvertView::auth_type() const {
    return version() == Version::v2 ? static_cast<AuthType>(u8(4)) : AuthType::none;
}

std::uint16_t AdvertView::interval_field() const {
    if (version() == Version::v2) return u8(5);
    return static_cast<std::uint16_t>((u8(4) & 0x0f) << 8 | u8(5));
}

std::chrono::milliseconds AdvertView::advert_interval() const {
    const auto field = interval_field();
    return std::chrono::milliseconds(version() == Version::v2 ? field * 1000 : field * 10);
}

IpAddress AdvertView::address(std::size_t index) const {
    const std::size_t size = address_size(family_);
    return *IpAddress::from_bytes(bytes_.subspan(kHeaderSize + index * size, size));
}

std::span<const std::byte> AdvertView::auth_data() const {
    if (version() != Version::v2) return {};
    return bytes_.subspan(kHeaderSize + address_count() * IpAddress::kV4Size, kAuthDataSize);
}

std::size_t advert_size(Version version, Family family, std::size_t address_count) {
    return kHeaderSize + address_count * address_size(family) +
           (version == Version::v2 ? kAuthDataSize : 0);
}

AdvertResult decode_advert(std::span<const std::byte> message, const PacketInfo& info,
                           ChecksumMode mode) {
    AdvertResult result;
    result.info = info;
    if (message.size() < kHeaderSize) {
        result.error = AdvertError::too_short;
        return result;
    }
    const unsigned version_bits = std::to_integer<unsigned>(message[0]) >> 4;
    const unsigned type = std::to_integer<unsigned>(message[0]) & 0x0f;
    const Family family = info.source.family();
    if (!known_version(version_bits) ||
        (version_bits == static_cast<unsigned>(Version::v2) && family != Family::ipv4)) {
        result.error = AdvertError::bad_version;
        return result;
    }
    if (type != kTypeAdvertisement) {
        result.error = AdvertError::bad_type;
        return result;
    }
    const auto version = static_cast<Version>(version_bits);
    const std::size_t count = std::to_integer<std::size_t>(message[3]);
    if (count == 0) {
        result.error = AdvertError::no_addresses;
        return result;
    }
    const std::size_t expected = advert_size(version, family, count);
    if (message.size() < expected) {
        result.error = AdvertError::truncated;
        return result;
    }
    if (message.size() > expected) {
        result.error = AdvertError::length_mismatch;
        return result;
    }
    const auto stored = static_cast<std::uint16_t>(std::to_integer<unsigned>(message[6]) << 8 |
                                                   std::to_integer<unsigned>(message[7]));
    if (vrrp_checksum(message, version, mode, info.source, info.destination) != stored) {
        result.error = AdvertError::bad_checksum;
        return result;
    }
    result.advert = AdvertDecoder::make(message, family);
    return result;
}

std::optional<AdvertError> check_advert(const AdvertView& advert, const RouterSettings& settings) {
    if (advert.version() != settings.version) return AdvertError::bad_version;
    if (advert.vrid() != settings.vrid) return AdvertError::wrong_vrid;
    if (advert.version() == Version::v2) {
        // RFC 3768 §5.3.6.1: with type 0 the auth data is ignored on reception.
        if (advert.auth_type() != auth_type(settings)) return AdvertError::auth_mismatch;
        if (advert.auth_type() == AuthType::simple_text) {
            const auto expected = auth_data(settings);
            if (!std::equal(expected.begin(), expected.end(), advert.auth_data().begin())) {
                return AdvertError::auth_mismatch;
            }
        }
    }
    // §7.1 "MAY verify that the IPvX Address(es) ... are valid": when checked and
    // different, drop unless the sender is the address owner (priority 255).
    if (settings.check_advert_addresses && advert.priority() != kPriorityOwner &&
        !same_addresses(advert, settings)) {
        return AdvertError::address_list_mismatch;
    }
    if (advert.version() == Version::v2) {
        // RFC 3768 §7.1: MUST verify the Adver Interval equals ours.
        if (advert.interval_field() != interval_field(settings)) {
            return AdvertError::interval_mismatch;
        }
    } else if (advert.interval_field() == 0) {
        // Not in RFC 5798, but a learned interval of 0 would make Master_Down_Interval
        // the skew alone: a backup would take over between two adverts.
        return AdvertError::bad_interval;
    }
    return std::nullopt;
}

AdvertResult receive_advert(std::span<const std::byte> message, const PacketInfo& info,
                            const RouterSettings& settings) {
    if (info.ttl != kRequiredTtl) {
        AdvertResult result;
        result.info = info;
        result.error = AdvertError::bad_ttl;
        return result;
    }
    AdvertResult result = decode_advert(message, info, settings.checksum_mode);
    if (result.ok()) result.error = check_advert(result.advert, settings);
    return result;
}

AdvertResult receive_ipv4_datagram(std::span<const std::byte> datagram,
                                   const RouterSettings& settings) {
    const Ipv4Parse ip = parse_ipv4_header(datagram);
    if (!ip.ok()) {
        AdvertResult result;
        result.error = ip.error;
        return result;
    }
    const PacketInfo info{ip.header.source, ip.header.destination, ip.header.ttl};
    if (ip.header.protocol != kProtocolVrrp) {
        AdvertResult result;
        result.info = info;
        result.error = AdvertError::ip_not_vrrp;
        return result;
    }
    return receive_advert(ip.payload, info, settings);
}

bool build_advert(std::vector<std::byte>& out, const AdvertFields& fields, ChecksumMode mode,
                  const IpAddress& source, const IpAddress& destination) {
    const Family family =
        fields.addresses.empty() ? source.family() : fields.addresses.front().family();
    const bool one_family = std::all_of(fields.addresses.begin(), fields.addresses.end(),
                                        [&](const IpAddress& ip) { return ip.family() == family; });
    const Header h{fields.version,  fields.vrid,      fields.priority,
                   fields.interval, fields.auth_type, fields.auth_data};
    if (!one_family || !encodable(h, fields.addresses.size(), family, source, destination)) {
        return false;
    }
    append_advert(
        out, h, fields.addresses.size(), [&](std::size_t i) { return fields.addresses[i]; }, mode,
        source, destination);
    return true;
}

bool build_advert(std::vector<std::byte>& out, const RouterSettings& settings,
                  std::uint8_t priority, const IpAddress& source, const IpAddress& destination) {
    const Family family = settings.addresses.empty() ? source.family() : settings.family();
    const bool one_family =
        std::all_of(settings.addresses.begin(), settings.addresses.end(),
                    [&](const VirtualAddress& vip) { return vip.address.family() == family; });
    const Header h{settings.version,         settings.vrid,       priority,
                   interval_field(settings), auth_type(settings), auth_data(settings)};
    if (!one_family || settings.auth_pass.size() > kAuthDataSize ||
        !encodable(h, settings.addresses.size(), family, source, destination)) {
        return false;
    }
    append_advert(
        out, h, settings.addresses.size(),
        [&](std::size_t i) { return settings.addresses[i].address; }, settings.checksum_mode,
        source, destination);
    return true;
}

}  // namespace pgfront::vrrp
