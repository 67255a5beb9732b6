// `pgfront --release-vip -c FILE`: for systemd's ExecStopPost, after pgfront exited in any
// way. If the VIP is still on the interface (the daemon was killed, crashed, or hung past
// TimeoutStopSec while Master), it sends one priority-0 advert so a Backup takes over after
// Skew_Time instead of Master_Down_Interval, then removes the VIP.
#pragma once

#include <ostream>

#include "vip/speaker_settings.hpp"

namespace pgfront::vip {

// Returns the process exit code: 0 when the VIP is not on the interface afterwards
// (including "it was not there" and "no such interface"), 1 when it could not be removed.
int release_vip(const SpeakerSettings& settings, std::ostream& out);

}  // namespace pgfront::vip
