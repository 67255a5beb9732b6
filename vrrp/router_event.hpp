// The events a VirtualRouter reacts to (RFC 5798 §6.4: Startup, Shutdown, ADVERTISEMENT
// received, timers firing) plus pgfront's health coupling: priority changes and Fault.
#pragma once

#include <cstdint>
#include <variant>

#include "vrrp/advert.hpp"
#include "vrrp/ip_address.hpp"
#include "vrrp/timers.hpp"
#include "vrrp/wire.hpp"

namespace pgfront::vrrp {

struct Startup {};
struct Shutdown {};

// An advert that passed receive_advert()/receive_ipv4_datagram() for this router.
struct AdvertReceived {
    IpAddress source;  // the sender's primary address (IP source)
    std::uint8_t priority = 0;
    Interval max_advert_interval{};  // v3: learned by backups; v2: equals ours

    static AdvertReceived from(const AdvertView& advert, const IpAddress& source) {
        return {source, advert.priority(), advert.advert_interval()};
    }
};

// The one timer of the router was due (Adver_Timer, Master_Down_Timer or the delayed
// gratuitous ARP). Spurious or early firings are harmless: `now` is checked.
struct TimerFired {};

// The effective priority after tracked-health weights, 1..255 (0 is read as 1: leaving is
// what FaultChanged is for).
struct PriorityChanged {
    std::uint8_t priority = kPriorityDefault;
};

// Tracked health failed (true) or recovered (false): keepalived's FAULT state.
struct FaultChanged {
    bool faulted = false;
};

// New preempt settings (on reload).
struct PreemptChanged {
    bool preempt = true;
    Interval preempt_delay{};
};

using Event = std::variant<Startup, Shutdown, AdvertReceived, TimerFired, PriorityChanged,
                           FaultChanged, PreemptChanged>;

}  // namespace pgfront::vrrp
