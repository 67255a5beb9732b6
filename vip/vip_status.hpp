// VipStatus: a copy of the speaker's state for the admin API (GET /vip). Plain data, no
// behaviour, so the admin server reads it without depending on the speaker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pgfront::vip {

struct VipStatus {
    std::string interface;
    std::string address;  // "198.18.0.100/24"
    int vrid = 0;
    int version = 3;
    std::int64_t advert_interval_ms = 0;
    std::string primary_address;  // ours: the source of our adverts
    std::string state;            // initialize | backup | master | fault
    int configured_priority = 0;
    int effective_priority = 0;
    bool preempt = true;
    std::vector<std::string> failed_conditions;  // no_primary, listeners_down, interface_down
    bool holds_vip = false;                      // the VIP is on the interface (as we did it)
    std::optional<std::string> master_address;
    std::optional<int> master_priority;
    std::int64_t master_adver_interval_ms = 0;
    std::uint64_t transitions = 0;
    std::string last_transition;         // "backup->master"
    std::string last_transition_reason;  // master_down_timer, higher_priority, fault, ...
    std::int64_t last_transition_unix_ms = 0;
    std::uint64_t adverts_sent = 0;
    std::uint64_t adverts_received = 0;   // passed every check and reached the state machine
    std::uint64_t adverts_discarded = 0;  // valid, but changed nothing (lower priority, ...)
    std::uint64_t gratuitous_arps_sent = 0;
    std::uint64_t send_errors = 0;
    std::uint64_t dropped_total = 0;
    std::vector<std::pair<std::string, std::uint64_t>> dropped;  // reason -> count, all reasons
};

}  // namespace pgfront::vip
