// GET /vip: the VRRP speaker's state as JSON. Pure: status in, text out.
#pragma once

#include <optional>
#include <string>

#include "vip/vip_status.hpp"

namespace pgfront::admin {

// nullopt: {"enabled": false} (no vip: section).
std::string vip_json(const std::optional<vip::VipStatus>& status);

}  // namespace pgfront::admin
