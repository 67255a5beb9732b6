// release_vip (see release_vip.hpp): a one-shot, synchronous use of the speaker's I/O parts.
#include "vip/release_vip.hpp"

#include <cstring>

#include "vip/capabilities.hpp"
#include "vip/netlink.hpp"
#include "vip/vrrp_socket.hpp"
#include "vrrp/advert.hpp"
#include "vrrp/ipv4_header.hpp"

namespace pgfront::vip {

namespace {

// Best effort: a Backup that hears it takes over after Skew_Time.
void send_priority_zero(const SpeakerSettings& settings, int ifindex, const vrrp::IpAddress& source,
                        std::ostream& out) {
    const auto& r = settings.router;
    try {
        VrrpSocket socket(r.interface, ifindex, false);
        const auto group = vrrp::vrrp_multicast_group(vrrp::Family::ipv4);
        std::vector<vrrp::IpAddress> destinations = r.unicast_peers;
        if (destinations.empty()) destinations.push_back(group);
        const auto size = vrrp::advert_size(r.version, vrrp::Family::ipv4, r.addresses.size());
        std::uint16_t id = 1;
        for (const auto& destination : destinations) {
            std::vector<std::byte> buf;
            if (!vrrp::build_ipv4_header(buf, source, destination, size, id++) ||
                !vrrp::build_advert(buf, r, vrrp::kPriorityStop, source, destination)) {
                continue;
            }
            if (const int error = socket.send(buf, destination); error != 0) {
                out << "pgfront: priority-0 advert to " << destination.to_string()
                    << " failed: " << std::strerror(error) << "\n";
            }
        }
        out << "pgfront: sent a priority-0 advert for vrid " << int(r.vrid) << "\n";
    } catch (const std::exception& e) {
        out << "pgfront: cannot send a priority-0 advert: " << e.what() << "\n";
    }
}

}  // namespace

int release_vip(const SpeakerSettings& settings, std::ostream& out) {
    const auto& r = settings.router;
    const auto& vip = r.addresses.front();
    if (const auto problem = capabilities_problem(); !problem.empty()) {
        out << "pgfront: --release-vip: " << problem << "\n";
        return 1;
    }
    try {
        Rtnetlink netlink;
        const auto link = netlink.link(r.interface);
        if (!link) {
            out << "pgfront: interface " << r.interface << " does not exist; nothing to release\n";
            return 0;
        }
        const auto addresses = netlink.ipv4_addresses(link->index);
        std::vector<InterfaceAddress> held;
        for (const auto& a : addresses) {
            if (a.address == vip.address) held.push_back(a);
        }
        if (held.empty()) {
            out << "pgfront: " << vip.address.to_string() << " is not on "
                << r.interface << "; nothing to release\n";
            return 0;
        }
        const auto source =
            r.source_address ? r.source_address : primary_address(addresses, vip.address);
        if (source && link->usable()) send_priority_zero(settings, link->index, *source, out);
        for (const auto& a : held) {
            netlink.remove_address(link->index, a.address, a.prefix_length);
            out << "pgfront: removed " << a.address.to_string() << "/" << int(a.prefix_length)
                << " from " << r.interface << "\n";
        }
        return 0;
    } catch (const std::exception& e) {
        out << "pgfront: --release-vip failed: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace pgfront::vip
