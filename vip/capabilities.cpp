// Reads the effective capability set with capget(2) (no libcap needed).
#include "vip/capabilities.hpp"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace pgfront::vip {

std::vector<std::string> missing_capabilities() {
    __user_cap_header_struct header{};
    header.version = _LINUX_CAPABILITY_VERSION_3;
    header.pid = 0;
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    std::vector<std::string> missing;
    if (syscall(SYS_capget, &header, data) != 0) {
        return {"CAP_NET_RAW", "CAP_NET_ADMIN"};
    }
    auto effective = [&](int cap) {
        return (data[cap / 32].effective & (std::uint32_t{1} << (cap % 32))) != 0;
    };
    if (!effective(CAP_NET_RAW)) missing.emplace_back("CAP_NET_RAW");
    if (!effective(CAP_NET_ADMIN)) missing.emplace_back("CAP_NET_ADMIN");
    return missing;
}

std::string capabilities_problem() {
    const auto missing = missing_capabilities();
    if (missing.empty()) return {};
    std::string names;
    for (const auto& name : missing) names += (names.empty() ? "" : " and ") + name;
    return "the vip: section needs CAP_NET_RAW and CAP_NET_ADMIN to speak VRRP and manage the "
           "virtual IP, and this process lacks " +
           names +
           ". Run pgfront as root, or grant them (systemd: AmbientCapabilities=CAP_NET_RAW "
           "CAP_NET_ADMIN), or remove the vip: section.";
}

}  // namespace pgfront::vip
