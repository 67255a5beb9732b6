// TrackerEvent: something the pure TopologyTracker decided that an operator should read.
// The tracker only records events; HealthMonitor logs them, so each change is logged once.
#pragma once

#include <cstdint>
#include <string>

namespace pgfront::health {

struct TrackerEvent {
    enum class Level : std::uint8_t { info, warning, error };
    Level level = Level::info;
    std::string node;     // empty for cluster-wide events
    std::string message;  // complete sentence without the node name
};

}  // namespace pgfront::health
