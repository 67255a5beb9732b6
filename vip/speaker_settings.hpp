// SpeakerSettings: the YAML `vip:` section (conf::VipConfig) turned into what the speaker
// runs with: the RouterSettings of the pure state machine plus the I/O-only settings.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "conf/config.hpp"
#include "vip/health_coupling.hpp"
#include "vrrp/router_settings.hpp"

namespace pgfront::vip {

struct SpeakerSettings {
    vrrp::RouterSettings router;
    // garp_repeat 0: never announce (the router still asks; the speaker sends nothing).
    bool garp_enabled = true;
    // A gratuitous ARP burst this often while Master (0: off).
    std::chrono::milliseconds garp_refresh{0};
    std::string notify;  // empty: none
    CouplingSettings coupling;
};

struct SpeakerSettingsResult {
    std::optional<SpeakerSettings> settings;
    std::vector<std::string> errors;  // "vip.KEY: message"; empty when settings is set
};

// Pure. `config.enabled` must be true. Every problem is reported (no silent defaults); the
// router's own check_settings() runs last so the two validators can never disagree.
SpeakerSettingsResult to_speaker_settings(const conf::VipConfig& config);

// Which settings a running speaker can take on SIGHUP: the rest needs a restart.
// Returns the keys that differ and cannot be applied live (empty: all can).
std::vector<std::string> restart_only_changes(const conf::VipConfig& running,
                                              const conf::VipConfig& next);

}  // namespace pgfront::vip
