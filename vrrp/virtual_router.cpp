// The RFC 5798 §6.4 transitions of one virtual router; every state change goes through
// change_state(). Numbers in parentheses are the line labels of §6.4's pseudo-code.
#include "vrrp/virtual_router.hpp"

#include <algorithm>
#include <utility>

namespace pgfront::vrrp {

namespace {
template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;
}  // namespace

VirtualRouter::VirtualRouter(RouterSettings settings, IpAddress primary_address)
    : settings_(std::move(settings)),
      primary_address_(primary_address),
      priority_(std::max<std::uint8_t>(settings_.priority, 1)),
      preempt_(settings_.preempt),
      preempt_delay_(settings_.preempt_delay),
      master_adver_interval_(settings_.advert_interval) {}

Interval VirtualRouter::skew_time() const {
    return vrrp::skew_time(priority_, master_adver_interval_);
}

Interval VirtualRouter::master_down_interval() const {
    return vrrp::master_down_interval(priority_, master_adver_interval_);
}

std::optional<TimePoint> VirtualRouter::next_deadline() const {
    if (timer_ && garp_timer_) return std::min(*timer_, *garp_timer_);
    return timer_ ? timer_ : garp_timer_;
}

Actions VirtualRouter::handle(const Event& event, TimePoint now) {
    return std::visit(
        Overloaded{
            [&](const Startup&) { return on_startup(now); },
            [&](const Shutdown&) { return on_shutdown(now); },
            [&](const AdvertReceived& advert) { return on_advert(advert, now); },
            [&](const TimerFired&) { return on_timer(now); },
            [&](const PriorityChanged& e) { return on_priority(e.priority, now); },
            [&](const FaultChanged& e) { return on_fault(e.faulted, now); },
            [&](const PreemptChanged& e) { return on_preempt(e.preempt, e.preempt_delay, now); },
        },
        event);
}

// --- transitions -------------------------------------------------------------------------

void VirtualRouter::change_state(State to, StateChangeReason reason, Actions& out) {
    out.emplace_back(StateChanged{state_, to, reason});
    state_ = to;
}

// §6.4.1 Startup, also used when Fault clears: the owner goes Master at once, any other
// router listens as Backup for Master_Down_Interval first.
void VirtualRouter::start(StateChangeReason backup_reason, TimePoint now, Actions& out) {
    if (priority_ == kPriorityOwner) {
        become_master(StateChangeReason::address_owner_startup, now, out);
    } else {
        // (155) Master_Adver_Interval = Advertisement_Interval, (160) Master_Down_Timer.
        become_backup(backup_reason, settings_.advert_interval, now, out);
    }
    arm_preempt_holdoff(now);
}

void VirtualRouter::become_master(StateChangeReason reason, TimePoint now, Actions& out) {
    change_state(State::master, reason, out);
    // (110)/(370) send an ADVERTISEMENT, (120)/(380) gratuitous ARP. The address goes up
    // between the two so that it answers ARP by the time anyone acts on the announcement.
    out.emplace_back(SendAdvert{priority_});
    out.emplace_back(AddVip{});
    out.emplace_back(SendGratuitousArp{settings_.garp_master_repeat});
    timer_ = now + advertisement_interval();  // (140)/(405) Adver_Timer
    timer_from_stop_ = false;
    garp_timer_.reset();
    if (settings_.garp_master_delay > Interval::zero()) {
        garp_timer_ = now + settings_.garp_master_delay;
    }
    master_address_ = primary_address_;
    master_priority_ = priority_;
}

void VirtualRouter::become_backup(StateChangeReason reason, Interval master_adver_interval,
                                  TimePoint now, Actions& out) {
    change_state(State::backup, reason, out);
    master_adver_interval_ = master_adver_interval;
    timer_ = now + master_down_interval();
    timer_from_stop_ = false;
    garp_timer_.reset();
}

// Master → Initialize/Fault: RFC 5798 §6.4.3 (665) priority 0 so that a Backup takes over
// after Skew_Time instead of Master_Down_Interval; then the address goes.
void VirtualRouter::leave_master(Actions& out) {
    out.emplace_back(SendAdvert{kPriorityStop});
    out.emplace_back(RemoveVip{});
}

Interval VirtualRouter::learned_interval(const AdvertReceived& advert) const {
    // v3 backups learn the Master's interval (§6.4.2 (450), §6.4.3 (745)); v2 adverts with
    // another interval were dropped by the receive checks (RFC 3768 §7.1).
    if (settings_.version == Version::v3 && advert.max_advert_interval > Interval::zero()) {
        return advert.max_advert_interval;
    }
    return settings_.advert_interval;
}

// keepalived's preempt_delay: a Backup does not preempt a lower-priority Master until
// preempt_delay has passed since startup (or Fault clearing), or — when none is pending —
// since it first saw that lower-priority Master. A higher-priority Master ends the wait.
void VirtualRouter::arm_preempt_holdoff(TimePoint now) {
    preempt_holdoff_until_.reset();
    if (preempt_ && preempt_delay_ > Interval::zero()) {
        preempt_holdoff_until_ = now + preempt_delay_;
    }
}

bool VirtualRouter::preempt_held_off(const AdvertReceived& advert, TimePoint now) {
    if (!preempt_ || preempt_delay_ <= Interval::zero() || advert.priority >= priority_) {
        return false;
    }
    if (!preempt_holdoff_until_) preempt_holdoff_until_ = now + preempt_delay_;
    return now < *preempt_holdoff_until_;
}

// §6.4.2 (420)-(485).
void VirtualRouter::backup_receive(const AdvertReceived& advert, TimePoint now, Actions& out) {
    if (advert.priority == kPriorityStop) {
        // (430) The Master is leaving: take over after Skew_Time, so that the Backup with
        // the highest priority does so first.
        timer_ = now + skew_time();
        timer_from_stop_ = true;
        master_priority_ = advert.priority;
        return;
    }
    // (445) Accept the Master unless we preempt it. A higher-priority advert also ends
    // a pending preempt_delay; a lower one while held off counts as accepted.
    if (advert.priority > priority_) preempt_holdoff_until_.reset();
    const bool held_off = preempt_held_off(advert, now);
    if (!preempt_ || advert.priority >= priority_ || held_off) {
        master_adver_interval_ = learned_interval(advert);  // (450), (455)
        timer_ = now + master_down_interval();              // (460)
        timer_from_stop_ = false;
        master_address_ = advert.source;
        master_priority_ = advert.priority;
        return;
    }
    // (470) Discard: the Master_Down_Timer keeps running and we take over when it fires.
    out.emplace_back(Discarded{DiscardReason::preempt});
}

// §6.4.3 (700)-(785).
void VirtualRouter::master_receive(const AdvertReceived& advert, TimePoint now, Actions& out) {
    if (advert.priority == kPriorityStop) {
        // (710), (715) Another Master is leaving: make sure everyone hears from us now.
        out.emplace_back(SendAdvert{priority_});
        timer_ = now + advertisement_interval();
        return;
    }
    const bool higher = advert.priority > priority_;
    // (735) Ties go to the higher primary address, compared as unsigned network-order
    // integers.
    const bool tie_lost = advert.priority == priority_ && advert.source > primary_address_;
    if (higher || tie_lost) {
        // (740)-(760) Cancel Adver_Timer, learn the interval, start Master_Down_Timer.
        become_backup(
            higher ? StateChangeReason::higher_priority : StateChangeReason::higher_address,
            learned_interval(advert), now, out);
        out.emplace_back(RemoveVip{});
        master_address_ = advert.source;
        master_priority_ = advert.priority;
        if (higher) preempt_holdoff_until_.reset();  // as in Backup: the wait starts afresh
        return;
    }
    // (770) Discard. keepalived answers with an advert so that the other (lower) Master
    // steps down at once instead of at our next Adver_Timer; the timer keeps its cadence.
    out.emplace_back(Discarded{DiscardReason::lower_priority});
    if (!settings_.lower_prio_no_advert) out.emplace_back(SendAdvert{priority_});
}

// --- events ------------------------------------------------------------------------------

Actions VirtualRouter::on_startup(TimePoint now) {
    Actions out;
    if (state_ != State::initialize) return out;
    if (faulted_) {
        change_state(State::fault, StateChangeReason::fault, out);
    } else {
        start(StateChangeReason::startup, now, out);
    }
    return finish(std::move(out), false);
}

Actions VirtualRouter::on_shutdown(TimePoint /*now*/) {
    Actions out;
    if (state_ == State::initialize) return out;
    const bool was_master = state_ == State::master;
    change_state(State::initialize, StateChangeReason::shutdown, out);
    if (was_master) leave_master(out);  // (660)-(670)
    timer_.reset();                     // (350) / (660) cancel the timers
    garp_timer_.reset();
    preempt_holdoff_until_.reset();
    master_address_.reset();
    master_priority_.reset();
    return finish(std::move(out), false);
}

Actions VirtualRouter::on_advert(const AdvertReceived& advert, TimePoint now) {
    Actions out;
    if (state_ == State::initialize || state_ == State::fault) {
        out.emplace_back(Discarded{DiscardReason::not_active});
    } else if (advert.source == primary_address_) {
        // Never answer our own adverts (a looped-back multicast would otherwise make a
        // Master answer itself forever).
        out.emplace_back(Discarded{DiscardReason::own_advert});
    } else {
        if (priority_ == kPriorityOwner) {
            out.emplace_back(
                Misconfigured{Misconfiguration::advert_to_address_owner, advert.source});
        }
        if (state_ == State::backup) {
            backup_receive(advert, now, out);
        } else {
            master_receive(advert, now, out);
        }
    }
    return finish(std::move(out), false);
}

Actions VirtualRouter::on_timer(TimePoint now) {
    Actions out;
    if (garp_timer_ && now >= *garp_timer_) {
        garp_timer_.reset();
        if (state_ == State::master) {
            out.emplace_back(SendGratuitousArp{settings_.garp_master_repeat});
        }
    }
    if (timer_ && now >= *timer_) {
        if (state_ == State::master) {
            // §6.4.3 (680)-(690) Adver_Timer.
            out.emplace_back(SendAdvert{priority_});
            timer_ = now + advertisement_interval();
        } else if (state_ == State::backup) {
            // §6.4.2 (365)-(410) Master_Down_Timer.
            become_master(timer_from_stop_ ? StateChangeReason::master_stopped
                                           : StateChangeReason::master_down_timer,
                          now, out);
        } else {
            timer_.reset();
        }
    }
    return finish(std::move(out), true);
}

Actions VirtualRouter::on_priority(std::uint8_t priority, TimePoint now) {
    Actions out;
    priority = std::max<std::uint8_t>(priority, 1);
    if (priority == priority_) return out;
    priority_ = priority;
    if (state_ == State::master) {
        // Tell the other routers now rather than at the next Adver_Timer: a Backup that
        // now outranks us starts discarding (and preempts after Master_Down_Interval).
        out.emplace_back(SendAdvert{priority_});
        timer_ = now + advertisement_interval();
        master_priority_ = priority_;
    }
    // In Backup the new priority changes Skew_Time from the next timer reset on.
    return finish(std::move(out), false);
}

Actions VirtualRouter::on_fault(bool faulted, TimePoint now) {
    Actions out;
    if (faulted == faulted_) return out;
    faulted_ = faulted;
    if (faulted) {
        if (state_ == State::master || state_ == State::backup) {
            const bool was_master = state_ == State::master;
            change_state(State::fault, StateChangeReason::fault, out);
            if (was_master) leave_master(out);
            timer_.reset();
            garp_timer_.reset();
            preempt_holdoff_until_.reset();
            master_address_.reset();
            master_priority_.reset();
        }
        // In Initialize the fault is remembered: Startup then goes to Fault.
    } else if (state_ == State::fault) {
        start(StateChangeReason::fault_cleared, now, out);
    }
    return finish(std::move(out), false);
}

Actions VirtualRouter::on_preempt(bool preempt, Interval preempt_delay, TimePoint /*now*/) {
    preempt_ = preempt;
    preempt_delay_ = preempt_delay;
    if (!preempt_ || preempt_delay_ <= Interval::zero()) preempt_holdoff_until_.reset();
    return {};
}

Actions VirtualRouter::finish(Actions out, bool always_report_timer) {
    const auto next = next_deadline();
    if (always_report_timer || next != reported_timer_) {
        if (next) {
            out.emplace_back(SetTimer{*next});
        } else {
            out.emplace_back(CancelTimer{});
        }
        reported_timer_ = next;
    }
    return out;
}

// --- names -------------------------------------------------------------------------------

std::string_view to_string(State state) {
    switch (state) {
        case State::initialize:
            return "initialize";
        case State::backup:
            return "backup";
        case State::master:
            return "master";
        case State::fault:
            return "fault";
    }
    return "unknown";
}

std::string_view to_string(StateChangeReason reason) {
    switch (reason) {
        case StateChangeReason::startup:
            return "startup";
        case StateChangeReason::address_owner_startup:
            return "address_owner_startup";
        case StateChangeReason::master_down_timer:
            return "master_down_timer";
        case StateChangeReason::master_stopped:
            return "master_stopped";
        case StateChangeReason::higher_priority:
            return "higher_priority";
        case StateChangeReason::higher_address:
            return "higher_address";
        case StateChangeReason::shutdown:
            return "shutdown";
        case StateChangeReason::fault:
            return "fault";
        case StateChangeReason::fault_cleared:
            return "fault_cleared";
    }
    return "unknown";
}

std::string_view to_string(DiscardReason reason) {
    switch (reason) {
        case DiscardReason::not_active:
            return "not_active";
        case DiscardReason::own_advert:
            return "own_advert";
        case DiscardReason::lower_priority:
            return "lower_priority";
        case DiscardReason::preempt:
            return "preempt";
    }
    return "unknown";
}

std::string_view to_string(Misconfiguration what) {
    switch (what) {
        case Misconfiguration::advert_to_address_owner:
            return "advert_to_address_owner";
    }
    return "unknown";
}

}  // namespace pgfront::vrrp
