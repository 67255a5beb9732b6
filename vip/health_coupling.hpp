// HealthCoupling: pure. Turns what this pgfront can see (a primary in its topology, its own
// listeners, the VRRP interface) into the priority and Fault it runs its virtual router
// with. keepalived's tracked scripts with weights, without scripts. Time is injected.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vrrp/timers.hpp"

namespace pgfront::vip {

// What a failed condition does: Fault (leave Master, stay silent, hold no VIP) or lower
// the priority by `weight` (-254..0; 0 means the condition is only reported).
struct CouplingTrack {
    bool fault = true;
    int weight = 0;
    friend bool operator==(const CouplingTrack&, const CouplingTrack&) = default;
};

struct CouplingSettings {
    std::uint8_t base_priority = 100;  // vip.priority
    // How long the topology must show no eligible primary before `no_primary` applies.
    std::chrono::milliseconds no_primary_after{3000};
    CouplingTrack no_primary;      // vip.track_no_primary
    CouplingTrack listeners_down;  // vip.track_listeners_down
    friend bool operator==(const CouplingSettings&, const CouplingSettings&) = default;
};

// The outcome the virtual router is driven with.
struct CouplingVerdict {
    std::uint8_t priority = 100;  // 1..255
    bool fault = false;
    // The failed conditions, e.g. {"no_primary", "listeners_down"}; empty when healthy.
    std::vector<std::string> conditions;
    friend bool operator==(const CouplingVerdict&, const CouplingVerdict&) = default;
};

class HealthCoupling {
  public:
    // Starts as "no primary seen since `now`" (the first snapshot has every node down),
    // listeners up, interface up.
    HealthCoupling(CouplingSettings settings, vrrp::TimePoint now);

    // Each returns true when verdict() changed.
    bool on_primary(bool has_primary, vrrp::TimePoint now);
    bool on_listeners(bool up, vrrp::TimePoint now);
    // The interface is down or gone: always Fault (no weight can make that usable).
    bool on_interface(bool up, vrrp::TimePoint now);
    bool on_timer(vrrp::TimePoint now);
    bool on_settings(CouplingSettings settings, vrrp::TimePoint now);

    const CouplingVerdict& verdict() const { return verdict_; }
    // When the verdict may change without an event (no_primary_after running out).
    std::optional<vrrp::TimePoint> next_deadline() const;
    // Since when no primary has been seen (nullopt while one is seen).
    std::optional<vrrp::TimePoint> no_primary_since() const { return no_primary_since_; }

  private:
    bool update(vrrp::TimePoint now);
    bool no_primary_active(vrrp::TimePoint now) const;

    CouplingSettings settings_;
    std::optional<vrrp::TimePoint> no_primary_since_;
    bool listeners_up_ = true;
    bool interface_up_ = true;
    CouplingVerdict verdict_;
};

}  // namespace pgfront::vip
