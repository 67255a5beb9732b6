// VipSpeaker: the thin I/O around one vrrp::VirtualRouter. It carries out the router's
// actions (adverts on the raw socket, the VIP through rtnetlink, gratuitous ARP, its one
// timer) and feeds it adverts, timer firings and the health verdict of HealthCoupling
// (topology snapshots, listeners, the interface's link state). All work runs on a strand of
// the executor it is given; status() may be read from any thread.
#pragma once

#include <memory>
#include <string_view>

#include "health/topology.hpp"
#include "vip/speaker_settings.hpp"
#include "vip/vip_status.hpp"

namespace boost::asio {
class any_io_executor;
}  // namespace boost::asio

namespace pgfront::vip {

class VipSpeaker {
  public:
    VipSpeaker(const boost::asio::any_io_executor& executor, SpeakerSettings settings);
    // Calls shutdown(). Destroy the speaker before its executor's execution context.
    ~VipSpeaker();
    VipSpeaker(const VipSpeaker&) = delete;
    VipSpeaker& operator=(const VipSpeaker&) = delete;

    // Checks capabilities, finds the interface and its primary address, removes a stale
    // copy of the VIP left by an earlier run, opens the sockets and enters Backup (Master at
    // once for priority 255, Fault when the health verdict says so). Call it from the
    // executor's thread before the executor runs, or on it. Throws std::runtime_error with
    // a message meant for the operator.
    void start();

    // Thread-safe (posted to the strand).
    void on_topology(const health::TopologyPtr& topology);
    void set_listeners_up(bool up);
    // Applies what can change while running (priority, preempt, preempt_delay, tracking,
    // notify); see restart_only_changes() for the rest.
    void reconfigure(SpeakerSettings settings);

    // Leaves Master with a priority-0 advert, removes the VIP from the interface, closes the
    // sockets. Synchronous and idempotent; call it on the executor's thread, or once the
    // executor no longer runs.
    void shutdown(std::string_view why);

    // Thread-safe copy for the admin API.
    VipStatus status() const;

  private:
    class Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace pgfront::vip
