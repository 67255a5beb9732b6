// Fuzz target for the VRRP codec: decoding, the receive checks and the IPv4 header never
// crash on any bytes, and every advert that decodes is rebuilt byte for byte.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "vrrp/advert.hpp"
#include "vrrp/checksum.hpp"
#include "vrrp/ipv4_header.hpp"

using namespace pgfront::vrrp;

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

RouterSettings settings_for(std::uint8_t knobs) {
    RouterSettings s;
    s.interface = "eth0";
    s.addresses = {*VirtualAddress::parse("198.18.0.100/24")};
    s.vrid = 51;
    s.version = (knobs & 1) ? Version::v2 : Version::v3;
    s.advert_interval =
        s.version == Version::v2 ? std::chrono::milliseconds(1000) : std::chrono::milliseconds(100);
    s.checksum_mode = static_cast<ChecksumMode>((knobs >> 1) % 3);
    if ((knobs & 8) && s.version == Version::v2) s.auth_pass = "secret";
    s.check_advert_addresses = (knobs & 16) != 0;
    return s;
}

// Touch every accessor, and rebuild the advert from its fields.
void exercise(const AdvertResult& r, ChecksumMode mode) {
    if (!r.ok()) {
        require(!to_string(*r.error).empty());
        return;
    }
    const AdvertView& a = r.advert;
    require(a.type() == kTypeAdvertisement);
    require(a.bytes().size() == advert_size(a.version(), a.family(), a.address_count()));
    std::vector<IpAddress> addresses;
    for (std::size_t i = 0; i < a.address_count(); ++i) addresses.push_back(a.address(i));
    AdvertFields f;
    f.version = a.version();
    f.vrid = a.vrid();
    f.priority = a.priority();
    f.interval = a.interval_field();
    f.addresses = addresses;
    f.auth_type = a.auth_type();
    for (std::size_t i = 0; i < a.auth_data().size(); ++i) f.auth_data[i] = a.auth_data()[i];
    (void)a.advert_interval();
    (void)a.checksum();
    std::vector<std::byte> out;
    const bool built = build_advert(out, f, mode, r.info.source, r.info.destination);
    require(built == (f.interval != 0));
    if (!built) return;
    const bool reserved_bits_set =
        a.version() == Version::v3 && (std::to_integer<unsigned>(a.bytes()[4]) & 0xf0) != 0;
    if (!reserved_bits_set) {
        require(std::equal(out.begin(), out.end(), a.bytes().begin(), a.bytes().end()));
    }
    const AdvertResult again = decode_advert(out, r.info, mode);
    require(again.ok());
    require(again.advert.interval_field() == a.interval_field());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t knobs = data[0];
    const auto input = std::as_bytes(std::span(data + 1, size - 1));
    const RouterSettings settings = settings_for(knobs);

    const PacketInfo v4{IpAddress::v4(198, 18, 0, 2), vrrp_multicast_group(Family::ipv4),
                        (knobs & 32) ? std::uint8_t{255} : std::uint8_t{64}};
    const PacketInfo v6{*IpAddress::parse("fe80::2"), vrrp_multicast_group(Family::ipv6), 255};
    for (auto mode : {ChecksumMode::pseudo_header, ChecksumMode::message_only,
                      ChecksumMode::pseudo_header_multicast}) {
        exercise(decode_advert(input, v4, mode), mode);
        exercise(decode_advert(input, v6, mode), mode);
    }
    // Random bytes rarely carry a right checksum: also try them with the header made
    // plausible (version, type, count fitting the length) and the checksum filled in.
    if (knobs & 64) {
        std::vector<std::byte> fixed(input.begin(), input.end());
        if (fixed.size() >= kHeaderSize) {
            const bool v2 = settings.version == Version::v2;
            fixed[0] = std::byte(v2 ? 0x21 : 0x31);
            const std::size_t room = fixed.size() - kHeaderSize - (v2 ? kAuthDataSize : 0);
            if (fixed.size() >= kHeaderSize + (v2 ? kAuthDataSize : 0)) {
                fixed[3] = std::byte(std::min<std::size_t>(room / 4, 255));
            }
            const std::uint16_t sum = vrrp_checksum(fixed, settings.version, settings.checksum_mode,
                                                    v4.source, v4.destination);
            fixed[6] = std::byte(sum >> 8);
            fixed[7] = std::byte(sum & 0xff);
        }
        exercise(decode_advert(fixed, v4, settings.checksum_mode), settings.checksum_mode);
        const AdvertResult r = receive_advert(fixed, v4, settings);
        if (r.ok()) exercise(r, settings.checksum_mode);
    }

    const AdvertResult received = receive_advert(input, v4, settings);
    if (received.ok()) exercise(received, settings.checksum_mode);

    // The same bytes as a raw datagram, and behind a valid IPv4 header.
    const AdvertResult raw = receive_ipv4_datagram(input, settings);
    if (raw.ok()) exercise(raw, settings.checksum_mode);
    const Ipv4Parse ip = parse_ipv4_header(input);
    if (ip.ok()) {
        require(ip.header.header_length >= kIpv4MinHeaderSize);
        require(ip.payload.size() == ip.header.total_length - ip.header.header_length);
    }
    std::vector<std::byte> datagram;
    if (build_ipv4_header(datagram, v4.source, v4.destination, input.size(), 1)) {
        datagram.insert(datagram.end(), input.begin(), input.end());
        const AdvertResult wrapped = receive_ipv4_datagram(datagram, settings);
        require(!wrapped.error || *wrapped.error != AdvertError::ip_bad_header);
        if (wrapped.ok()) exercise(wrapped, settings.checksum_mode);
    }

    // Text parsers.
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (const auto ip_text = IpAddress::parse(text)) {
        require(IpAddress::parse(ip_text->to_string()) == ip_text);
    }
    if (const auto vip = VirtualAddress::parse(text)) {
        require(VirtualAddress::parse(vip->to_string()) == vip);
    }
    return 0;
}
