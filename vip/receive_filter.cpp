// filter_advert and the drop counters (see receive_filter.hpp).
#include "vip/receive_filter.hpp"

#include <algorithm>
#include <numeric>

namespace pgfront::vip {

std::string_view to_string(FilterDrop drop) {
    switch (drop) {
        case FilterDrop::wrong_destination:
            return "wrong_destination";
        case FilterDrop::unknown_peer:
            return "unknown_peer";
    }
    return "unknown";
}

std::optional<FilterDrop> filter_advert(const vrrp::PacketInfo& info,
                                        const vrrp::RouterSettings& settings,
                                        const vrrp::IpAddress& self) {
    if (settings.unicast_peers.empty()) {
        if (info.destination != vrrp::vrrp_multicast_group(info.destination.family())) {
            return FilterDrop::wrong_destination;
        }
        return std::nullopt;
    }
    if (info.destination != self) return FilterDrop::wrong_destination;
    const auto& peers = settings.unicast_peers;
    if (std::find(peers.begin(), peers.end(), info.source) == peers.end()) {
        return FilterDrop::unknown_peer;
    }
    return std::nullopt;
}

std::uint64_t DropCounters::total() const {
    return std::accumulate(advert.begin(), advert.end(), std::uint64_t{0}) +
           std::accumulate(filter.begin(), filter.end(), std::uint64_t{0});
}

}  // namespace pgfront::vip
