// VirtualRouter: the RFC 5798 §6.4 state machine of one virtual router, pure. Each method
// takes an event and the current time and returns the actions for the I/O speaker.
#pragma once

#include <optional>

#include "vrrp/ip_address.hpp"
#include "vrrp/router_action.hpp"
#include "vrrp/router_event.hpp"
#include "vrrp/router_settings.hpp"
#include "vrrp/timers.hpp"

namespace pgfront::vrrp {

// Timers: the router keeps at most two deadlines (Adver_Timer or Master_Down_Timer, and the
// delayed gratuitous ARP) and asks for one timer at the earlier of them: SetTimer when that
// moment changes, CancelTimer when nothing is pending, and always after on_timer().
//
// The caller should feed every advert already received before a TimerFired: after a CPU
// stall, a queued advert from a live Master must win over a Master_Down_Timer that expired
// while the process was not running.
class VirtualRouter {
  public:
    // `settings` must pass check_settings(). `primary_address` is our "primary IPvX
    // Address" (settings.source_address, or the interface's address) used in elections.
    VirtualRouter(RouterSettings settings, IpAddress primary_address);

    Actions handle(const Event& event, TimePoint now);

    Actions on_startup(TimePoint now);
    Actions on_shutdown(TimePoint now);
    Actions on_advert(const AdvertReceived& advert, TimePoint now);
    Actions on_timer(TimePoint now);
    Actions on_priority(std::uint8_t priority, TimePoint now);
    Actions on_fault(bool faulted, TimePoint now);
    Actions on_preempt(bool preempt, Interval preempt_delay, TimePoint now);

    State state() const { return state_; }
    std::uint8_t priority() const { return priority_; }  // effective priority
    bool faulted() const { return faulted_; }
    bool preempt() const { return preempt_; }
    const RouterSettings& settings() const { return settings_; }
    const IpAddress& primary_address() const { return primary_address_; }
    // RFC 5798 §6.1 names.
    Interval advertisement_interval() const { return settings_.advert_interval; }
    Interval master_adver_interval() const { return master_adver_interval_; }
    Interval skew_time() const;
    Interval master_down_interval() const;
    // When the pending Adver_Timer / Master_Down_Timer / delayed GARP is due, if any.
    std::optional<TimePoint> next_deadline() const;
    // The current Master as far as we know: us in Master, the last accepted advert's
    // sender in Backup; nullopt before any advert and in Initialize/Fault.
    std::optional<IpAddress> master_address() const { return master_address_; }
    std::optional<std::uint8_t> master_priority() const { return master_priority_; }
    // Until when a Backup does not preempt a lower-priority Master (preempt_delay).
    std::optional<TimePoint> preempt_holdoff_until() const { return preempt_holdoff_until_; }

  private:
    void change_state(State to, StateChangeReason reason, Actions& out);
    void start(StateChangeReason backup_reason, TimePoint now, Actions& out);
    void become_master(StateChangeReason reason, TimePoint now, Actions& out);
    void become_backup(StateChangeReason reason, Interval master_adver_interval, TimePoint now,
                       Actions& out);
    void leave_master(Actions& out);
    void backup_receive(const AdvertReceived& advert, TimePoint now, Actions& out);
    void master_receive(const AdvertReceived& advert, TimePoint now, Actions& out);
    bool preempt_held_off(const AdvertReceived& advert, TimePoint now);
    void arm_preempt_holdoff(TimePoint now);
    Interval learned_interval(const AdvertReceived& advert) const;
    Actions finish(Actions out, bool always_report_timer);

    RouterSettings settings_;
    IpAddress primary_address_;
    State state_ = State::initialize;
    std::uint8_t priority_;
    bool faulted_ = false;
    bool preempt_;
    Interval preempt_delay_;
    Interval master_adver_interval_;
    std::optional<TimePoint> timer_;       // Adver_Timer in Master, Master_Down_Timer in Backup
    bool timer_from_stop_ = false;         // Master_Down_Timer was set to Skew_Time (priority 0)
    std::optional<TimePoint> garp_timer_;  // the second gratuitous ARP burst
    std::optional<TimePoint> preempt_holdoff_until_;
    std::optional<TimePoint> reported_timer_;  // what the caller's timer is armed for
    std::optional<IpAddress> master_address_;
    std::optional<std::uint8_t> master_priority_;
};

}  // namespace pgfront::vrrp
