// The receive checks the codec cannot make because they depend on this host: the IP
// destination must be the VRRP group (multicast) or our own address (unicast_peers), and
// with unicast_peers the sender must be one of them. Pure.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "vrrp/advert.hpp"
#include "vrrp/advert_error.hpp"
#include "vrrp/router_settings.hpp"

namespace pgfront::vip {

enum class FilterDrop : std::uint8_t {
    wrong_destination,  // not 224.0.0.18 (multicast mode) / not our address (unicast mode)
    unknown_peer,       // unicast mode: the sender is not in unicast_peers
};
inline constexpr std::size_t kFilterDropCount = 2;

std::string_view to_string(FilterDrop drop);

// `self` is our primary address (the source of our adverts).
std::optional<FilterDrop> filter_advert(const vrrp::PacketInfo& info,
                                        const vrrp::RouterSettings& settings,
                                        const vrrp::IpAddress& self);

// Counts of dropped packets, one per reason (codec errors, then the filter's).
struct DropCounters {
    std::array<std::uint64_t, vrrp::kAdvertErrorCount> advert{};
    std::array<std::uint64_t, kFilterDropCount> filter{};

    void count(vrrp::AdvertError error) { ++advert[static_cast<std::size_t>(error)]; }
    void count(FilterDrop drop) { ++filter[static_cast<std::size_t>(drop)]; }
    std::uint64_t total() const;
};

}  // namespace pgfront::vip
