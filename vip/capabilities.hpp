// Whether this process may run a VRRP speaker: CAP_NET_RAW (raw socket, AF_PACKET) and
// CAP_NET_ADMIN (adding the VIP, binding to the interface) in its effective set.
#pragma once

#include <string>
#include <vector>

namespace pgfront::vip {

// Names of the missing capabilities ("CAP_NET_RAW", "CAP_NET_ADMIN"); empty when both are
// effective.
std::vector<std::string> missing_capabilities();

// One line for the operator: what is missing and how to grant it; empty when nothing is.
std::string capabilities_problem();

}  // namespace pgfront::vip
