// What a VirtualRouter asks its I/O speaker to do, in order: send adverts, add or remove the
// virtual addresses, announce them (gratuitous ARP / unsolicited NA), re-arm its one timer.
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "vrrp/ip_address.hpp"
#include "vrrp/timers.hpp"

namespace pgfront::vrrp {

// RFC 5798 §6.4 states, plus keepalived's Fault (tracked health failed: no VIP, silent).
enum class State : std::uint8_t { initialize, backup, master, fault };

enum class StateChangeReason : std::uint8_t {
    startup,                // Initialize → Backup (§6.4.1 (150))
    address_owner_startup,  // Initialize/Fault → Master at priority 255 (§6.4.1 (105))
    master_down_timer,      // Backup → Master: no advert for Master_Down_Interval (§6.4.2 (365))
    master_stopped,         // Backup → Master after a priority-0 advert (§6.4.2 (425))
    higher_priority,        // Master → Backup (§6.4.3 (725))
    higher_address,  // Master → Backup: same priority, higher sender address (§6.4.3 (735))
    shutdown,        // → Initialize (§6.4.2 (345), §6.4.3 (655))
    fault,           // → Fault
    fault_cleared,   // Fault → Backup
};

// Why a valid advert changed nothing.
enum class DiscardReason : std::uint8_t {
    not_active,      // in Initialize or Fault
    own_advert,      // the sender is our own primary address (looped back)
    lower_priority,  // in Master: lower priority, or same priority from a lower address
    preempt,         // in Backup: lower priority and we preempt (§6.4.2 (470))
};

// Something only a misconfiguration produces; the router carried on regardless.
enum class Misconfiguration : std::uint8_t {
    // We own the address (priority 255) and yet another router advertises this VRID.
    // RFC 9568 §7.1 as corrected by verified erratum 8298: log it and process the advert
    // as usual. (RFC 5798 §7.1 said drop it, which kept two owners Master for ever.)
    advert_to_address_owner,
};

// Send one ADVERTISEMENT (per unicast peer, or to the multicast group) with this priority.
struct SendAdvert {
    std::uint8_t priority = 0;
    friend bool operator==(const SendAdvert&, const SendAdvert&) = default;
};
// Add the virtual addresses to the interface / remove them.
struct AddVip {
    friend bool operator==(const AddVip&, const AddVip&) = default;
};
struct RemoveVip {
    friend bool operator==(const RemoveVip&, const RemoveVip&) = default;
};
// Announce the virtual addresses `count` times (IPv6: unsolicited Neighbor Advertisements).
struct SendGratuitousArp {
    unsigned count = 0;
    friend bool operator==(const SendGratuitousArp&, const SendGratuitousArp&) = default;
};
// (Re-)arm the router's single timer; deliver TimerFired at or after `when`.
struct SetTimer {
    TimePoint when;
    friend bool operator==(const SetTimer&, const SetTimer&) = default;
};
struct CancelTimer {
    friend bool operator==(const CancelTimer&, const CancelTimer&) = default;
};
struct StateChanged {
    State from = State::initialize;
    State to = State::initialize;
    StateChangeReason reason = StateChangeReason::startup;
    friend bool operator==(const StateChanged&, const StateChanged&) = default;
};
struct Discarded {
    DiscardReason reason = DiscardReason::not_active;
    friend bool operator==(const Discarded&, const Discarded&) = default;
};
// For a rate-limited log line and a counter.
struct Misconfigured {
    Misconfiguration what = Misconfiguration::advert_to_address_owner;
    IpAddress source;
    friend bool operator==(const Misconfigured&, const Misconfigured&) = default;
};

using Action = std::variant<StateChanged, SendAdvert, AddVip, RemoveVip, SendGratuitousArp,
                            SetTimer, CancelTimer, Discarded, Misconfigured>;
using Actions = std::vector<Action>;

std::string_view to_string(State state);
std::string_view to_string(StateChangeReason reason);
std::string_view to_string(DiscardReason reason);
std::string_view to_string(Misconfiguration what);

}  // namespace pgfront::vrrp
