// RouterSettings parsing helpers and the range checks that reject unusable settings.
#include "vrrp/router_settings.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace pgfront::vrrp {

namespace {

using std::chrono::milliseconds;

constexpr milliseconds kMaxPreemptDelay{1'000'000};  // keepalived: 0..1000 s

std::string ms_text(milliseconds value) {
    return std::to_string(value.count()) + "ms";
}

void check_interval(const RouterSettings& s, std::vector<std::string>& errors) {
    const auto ms = s.advert_interval.count();
    if (s.version == Version::v2) {
        if (ms % 1000 != 0 || ms < 1000 || ms > 255'000) {
            errors.push_back("advert_interval " + ms_text(s.advert_interval) +
                             ": VRRPv2 needs whole seconds from 1s to 255s");
        }
    } else if (ms % 10 != 0 || ms < 10 || ms > std::int64_t{kMaxIntervalV3} * 10) {
        errors.push_back("advert_interval " + ms_text(s.advert_interval) +
                         ": VRRPv3 needs a multiple of 10ms from 10ms to 40950ms");
    }
}

void check_addresses(const RouterSettings& s, std::vector<std::string>& errors) {
    if (s.addresses.empty()) {
        errors.emplace_back("address: at least one virtual address is required");
        return;
    }
    if (s.addresses.size() > 255) errors.emplace_back("address: at most 255 addresses");
    const Family family = s.family();
    if (s.version == Version::v2 && family == Family::ipv6) {
        errors.emplace_back("address: VRRPv2 carries IPv4 addresses only; use version 3");
    }
    std::set<IpAddress> seen;
    for (const auto& vip : s.addresses) {
        if (vip.address.family() != family) {
            errors.push_back("address " + vip.to_string() +
                             ": all virtual addresses must be of one family");
        }
        const unsigned max_prefix = vip.address.family() == Family::ipv4 ? 32 : 128;
        if (vip.prefix_length > max_prefix || vip.prefix_length == 0) {
            errors.push_back("address " + vip.to_string() + ": prefix length out of range");
        }
        if (vip.address.is_multicast()) {
            errors.push_back("address " + vip.to_string() + ": must not be multicast");
        }
        if (!seen.insert(vip.address).second) {
            errors.push_back("address " + vip.to_string() + ": listed twice");
        }
    }
    std::set<IpAddress> peers;
    for (const auto& peer : s.unicast_peers) {
        if (peer.family() != family) {
            errors.push_back("unicast_peers " + peer.to_string() +
                             ": not the family of the virtual addresses");
        }
        if (peer.is_multicast()) {
            errors.push_back("unicast_peers " + peer.to_string() + ": must not be multicast");
        }
        if (!peers.insert(peer).second) {
            errors.push_back("unicast_peers " + peer.to_string() + ": listed twice");
        }
    }
    if (s.source_address && s.source_address->family() != family) {
        errors.push_back("source_address " + s.source_address->to_string() +
                         ": not the family of the virtual addresses");
    }
}

}  // namespace

std::optional<VirtualAddress> VirtualAddress::parse(std::string_view text) {
    const auto slash = text.find('/');
    const auto ip = IpAddress::parse(text.substr(0, slash));
    if (!ip) return std::nullopt;
    VirtualAddress vip{*ip, static_cast<std::uint8_t>(ip->family() == Family::ipv4 ? 32 : 128)};
    if (slash == std::string_view::npos) return vip;
    const auto digits = text.substr(slash + 1);
    unsigned prefix = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
        prefix > vip.prefix_length) {
        return std::nullopt;
    }
    vip.prefix_length = static_cast<std::uint8_t>(prefix);
    return vip;
}

std::string VirtualAddress::to_string() const {
    return address.to_string() + "/" + std::to_string(prefix_length);
}

std::vector<std::string> check_settings(const RouterSettings& s) {
    std::vector<std::string> errors;
    if (s.vrid == 0) errors.emplace_back("vrid: required, 1..255");
    if (s.priority == 0) errors.emplace_back("priority: 1..255 (0 is reserved for leaving)");
    if (s.version != Version::v2 && s.version != Version::v3) {
        errors.emplace_back("version: 2 or 3");
    }
    check_interval(s, errors);
    check_addresses(s, errors);
    if (s.preempt_delay < milliseconds{0} || s.preempt_delay > kMaxPreemptDelay) {
        errors.push_back("preempt_delay " + ms_text(s.preempt_delay) + ": 0s..1000s");
    }
    if (s.auth_pass.size() > kAuthDataSize) {
        errors.emplace_back("auth_pass: at most 8 bytes");
    }
    if (!s.auth_pass.empty() && s.version == Version::v3) {
        errors.emplace_back("auth_pass: VRRPv3 has no authentication (RFC 5798 §9)");
    }
    if (s.garp_master_delay < milliseconds{0}) {
        errors.emplace_back("garp_master_delay: must not be negative");
    }
    if (s.garp_master_repeat == 0 || s.garp_master_repeat > 255) {
        errors.emplace_back("garp_master_repeat: 1..255");
    }
    return errors;
}

std::uint16_t interval_field(const RouterSettings& s) {
    const auto ms = s.advert_interval.count();
    const auto field = s.version == Version::v2 ? ms / 1000 : ms / 10;
    return static_cast<std::uint16_t>(std::clamp<decltype(field)>(field, 0, 0xffff));
}

std::array<std::byte, kAuthDataSize> auth_data(const RouterSettings& s) {
    std::array<std::byte, kAuthDataSize> data{};
    const auto n = std::min(s.auth_pass.size(), data.size());
    for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<std::byte>(s.auth_pass[i]);
    return data;
}

AuthType auth_type(const RouterSettings& s) {
    return s.auth_pass.empty() ? AuthType::none : AuthType::simple_text;
}

}  // namespace pgfront::vrrp
