// VipSpeaker (see vip_speaker.hpp). Every router event goes through handle(), every action
// through apply(); health changes reach the router only through apply_verdict().
#include "vip/vip_speaker.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "vip/capabilities.hpp"
#include "vip/garp_sender.hpp"
#include "vip/health_coupling.hpp"
#include "vip/netlink.hpp"
#include "vip/notifier.hpp"
#include "vip/receive_filter.hpp"
#include "vip/vrrp_socket.hpp"
#include "vrrp/advert.hpp"
#include "vrrp/ipv4_header.hpp"
#include "vrrp/virtual_router.hpp"

namespace pgfront::vip {

namespace asio = boost::asio;
using vrrp::Clock;
using vrrp::TimePoint;

namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// How many queued datagrams one wake-up reads before yielding to other work.
constexpr int kReceiveBatch = 256;

std::string_view notify_state(vrrp::State state) {
    switch (state) {
        case vrrp::State::master:
            return "MASTER";
        case vrrp::State::backup:
            return "BACKUP";
        case vrrp::State::fault:
            return "FAULT";
        case vrrp::State::initialize:
            return "STOP";
    }
    return "UNKNOWN";
}

std::int64_t unix_ms_now() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
    return out;
}

// Logs at most once per `period` per call site, counting what it suppressed.
class RateLimit {
  public:
    explicit RateLimit(std::chrono::seconds period) : period_(period) {}
    bool allow(TimePoint now) {
        if (last_ && now - *last_ < period_) {
            ++suppressed_;
            return false;
        }
        last_ = now;
        return true;
    }
    std::uint64_t take_suppressed() { return std::exchange(suppressed_, 0); }

  private:
    std::chrono::seconds period_;
    std::optional<TimePoint> last_;
    std::uint64_t suppressed_ = 0;
};

// One re-armable deadline on the strand; a stale completion (re-armed or cancelled since)
// is recognised by its generation and ignored.
struct Deadline {
    explicit Deadline(const asio::strand<asio::any_io_executor>& strand) : timer(strand) {}
    asio::steady_timer timer;
    std::uint64_t generation = 0;
    std::optional<TimePoint> when;
};

}  // namespace

class VipSpeaker::Impl : public std::enable_shared_from_this<VipSpeaker::Impl> {
  public:
    Impl(const asio::any_io_executor& executor, SpeakerSettings settings)
        : strand_(asio::make_strand(executor)),
          settings_(std::move(settings)),
          router_timer_(strand_),
          coupling_timer_(strand_),
          refresh_timer_(strand_),
          vrrp_wait_(strand_),
          link_wait_(strand_) {
        vip_ = settings_.router.addresses.front();
        status_ = make_status();
    }

    void start();
    void shutdown(std::string_view why);
    void on_topology(bool has_primary);
    void set_listeners_up(bool up);
    void reconfigure(const SpeakerSettings& next);
    VipStatus status() const {
        std::lock_guard lock(status_mutex_);
        return status_;
    }
    asio::strand<asio::any_io_executor>& strand() { return strand_; }

  private:
    LinkInfo prepare_interface();
    void open_io(const LinkInfo& link);
    void handle(const vrrp::Event& event);
    void apply(const vrrp::Actions& actions, TimePoint now);
    void apply_verdict(TimePoint now);
    void send_advert(std::uint8_t priority);
    void add_vip();
    void remove_vip(bool quiet);
    void send_garp(unsigned count);
    void drain_adverts();
    void process_datagram(std::span<const std::byte> datagram);
    void on_link_readable();

    void arm(Deadline& deadline, std::optional<TimePoint> when, void (Impl::*fired)());
    void on_router_timer();
    void on_coupling_timer();
    void on_refresh_timer();
    void wait_vrrp();
    void wait_link();

    VipStatus make_status() const;
    void publish_status();

    asio::strand<asio::any_io_executor> strand_;
    SpeakerSettings settings_;
    vrrp::VirtualAddress vip_;
    Deadline router_timer_;
    Deadline coupling_timer_;
    Deadline refresh_timer_;
    asio::posix::stream_descriptor vrrp_wait_;
    asio::posix::stream_descriptor link_wait_;

    std::optional<Rtnetlink> netlink_;
    std::optional<VrrpSocket> socket_;
    std::optional<GarpSender> garp_;
    std::optional<LinkEvents> link_events_;
    std::unique_ptr<Notifier> notifier_;
    std::optional<vrrp::VirtualRouter> router_;
    std::optional<HealthCoupling> coupling_;
    int ifindex_ = 0;
    vrrp::IpAddress self_;
    bool started_ = false;
    bool stopped_ = false;
    bool holds_vip_ = false;
    std::optional<bool> pending_primary_;  // a snapshot that arrived before start()

    std::vector<std::byte> send_buf_;
    std::uint16_t ip_id_ = 0;
    std::uint64_t transitions_ = 0;
    std::string last_transition_;
    std::string last_transition_reason_;
    std::int64_t last_transition_unix_ms_ = 0;
    std::uint64_t adverts_sent_ = 0;
    std::uint64_t adverts_received_ = 0;
    std::uint64_t adverts_discarded_ = 0;
    std::uint64_t garps_sent_ = 0;
    std::uint64_t send_errors_ = 0;
    DropCounters drops_;
    RateLimit drop_log_{std::chrono::seconds(10)};
    RateLimit send_log_{std::chrono::seconds(10)};
    RateLimit misconfig_log_{std::chrono::seconds(60)};

    mutable std::mutex status_mutex_;
    VipStatus status_;
};

// --- start and stop ----------------------------------------------------------------------

void VipSpeaker::Impl::start() {
    if (started_) return;
    if (const auto problem = capabilities_problem(); !problem.empty()) {
        throw std::runtime_error(problem);
    }
    try {
        const auto link = prepare_interface();
        open_io(link);
        const auto& r = settings_.router;
        const auto now = Clock::now();
        router_.emplace(r, self_);
        coupling_.emplace(settings_.coupling, now);
        coupling_->on_interface(link.usable(), now);
        if (pending_primary_) coupling_->on_primary(*pending_primary_, now);
        started_ = true;
        spdlog::info(
            "vip: VRRPv{} on {} from {}, vrid {}, priority {}, advert_interval {} ms, VIP {}, {}",
            static_cast<int>(r.version), r.interface, self_.to_string(), r.vrid, r.priority,
            r.advert_interval.count(), vip_.to_string(),
            r.unicast_peers.empty()
                ? std::string("multicast 224.0.0.18")
                : "unicast to " + std::to_string(r.unicast_peers.size()) + " peer(s)");
        // The verdict first, so Startup already knows the priority and any Fault.
        apply_verdict(now);
        handle(vrrp::Startup{});
        arm(coupling_timer_, coupling_->next_deadline(), &Impl::on_coupling_timer);
        wait_vrrp();
        wait_link();
    } catch (const std::system_error& e) {
        throw std::runtime_error(std::string("vip: ") + e.what());
    }
}

// Finds the interface, removes a stale VIP and picks the address adverts come from.
LinkInfo VipSpeaker::Impl::prepare_interface() {
    const auto& r = settings_.router;
    netlink_.emplace();
    const auto link = netlink_->link(r.interface);
    if (!link) throw std::runtime_error("vip.interface " + r.interface + ": no such interface");
    ifindex_ = link->index;
    // A VIP left on the interface by a run that did not stop cleanly (SIGKILL, crash, a VM
    // restored from a snapshot): two hosts would answer for it.
    for (const auto& a : netlink_->ipv4_addresses(ifindex_)) {
        if (a.address != vip_.address) continue;
        netlink_->remove_address(ifindex_, a.address, a.prefix_length);
        spdlog::warn(
            "vip: removed a stale {}/{} from {} (left by an earlier run that did not stop "
            "cleanly) before entering Backup",
            a.address.to_string(), a.prefix_length, r.interface);
    }
    const auto primary = r.source_address
                             ? r.source_address
                             : primary_address(netlink_->ipv4_addresses(ifindex_), vip_.address);
    if (!primary) {
        throw std::runtime_error("vip.interface " + r.interface +
                                 " has no IPv4 address to send adverts from; add one or set "
                                 "vip.unicast_src");
    }
    self_ = *primary;
    if (settings_.garp_enabled && !link->mac) {
        throw std::runtime_error("vip.interface " + r.interface +
                                 " has no Ethernet address for gratuitous ARP");
    }
    return *link;
}

void VipSpeaker::Impl::open_io(const LinkInfo& link) {
    const auto& r = settings_.router;
    socket_.emplace(r.interface, ifindex_, r.unicast_peers.empty());
    if (link.mac) garp_.emplace(ifindex_, *link.mac);
    link_events_.emplace();
    vrrp_wait_.assign(dup(socket_->fd()));
    link_wait_.assign(dup(link_events_->fd()));
    if (!settings_.notify.empty()) notifier_ = std::make_unique<Notifier>(settings_.notify);
}

void VipSpeaker::Impl::shutdown(std::string_view why) {
    if (!started_ || stopped_) return;
    const bool was_master = router_->state() == vrrp::State::master;
    handle(vrrp::Shutdown{});  // priority-0 advert and RemoveVip when Master
    stopped_ = true;
    // Whatever the state machine believed: this host must not keep the VIP after we stop.
    remove_vip(true);
    for (auto* d : {&router_timer_, &coupling_timer_, &refresh_timer_}) {
        ++d->generation;
        d->timer.cancel();
    }
    boost::system::error_code ignored;
    vrrp_wait_.close(ignored);
    link_wait_.close(ignored);
    socket_.reset();
    garp_.reset();
    link_events_.reset();
    publish_status();
    spdlog::info("vip: stopped ({}){}", why,
                 was_master ? "; sent a priority-0 advert and removed the VIP" : "");
    notifier_.reset();  // lets the STOP notification run (bounded)
}

// --- events into the router ----------------------------------------------------------------

void VipSpeaker::Impl::handle(const vrrp::Event& event) {
    if (stopped_ || !router_) return;
    const auto now = Clock::now();
    apply(router_->handle(event, now), now);
    publish_status();
}

void VipSpeaker::Impl::apply_verdict(TimePoint now) {
    const auto& verdict = coupling_->verdict();
    if (verdict.priority != router_->priority()) {
        spdlog::info("vip: effective priority {} -> {}{}{}", router_->priority(), verdict.priority,
                     verdict.conditions.empty() ? "" : ": ", join(verdict.conditions));
        apply(router_->handle(vrrp::PriorityChanged{verdict.priority}, now), now);
    }
    if (verdict.fault != router_->faulted()) {
        if (verdict.fault) {
            spdlog::warn("vip: fault ({}): leaving the election", join(verdict.conditions));
        } else {
            spdlog::info("vip: fault cleared: rejoining the election");
        }
        apply(router_->handle(vrrp::FaultChanged{verdict.fault}, now), now);
    }
    publish_status();
}

void VipSpeaker::Impl::on_topology(bool has_primary) {
    if (stopped_) return;
    if (!started_) {
        pending_primary_ = has_primary;
        return;
    }
    const auto now = Clock::now();
    if (coupling_->on_primary(has_primary, now)) apply_verdict(now);
    arm(coupling_timer_, coupling_->next_deadline(), &Impl::on_coupling_timer);
}

void VipSpeaker::Impl::set_listeners_up(bool up) {
    if (stopped_ || !started_) return;
    const auto now = Clock::now();
    if (coupling_->on_listeners(up, now)) apply_verdict(now);
}

void VipSpeaker::Impl::reconfigure(const SpeakerSettings& next) {
    if (stopped_ || !started_) return;
    const auto now = Clock::now();
    const auto& r = next.router;
    if (r.preempt != settings_.router.preempt ||
        r.preempt_delay != settings_.router.preempt_delay) {
        handle(vrrp::PreemptChanged{r.preempt, r.preempt_delay});
    }
    if (next.notify != settings_.notify) {
        notifier_.reset();
        if (!next.notify.empty()) notifier_ = std::make_unique<Notifier>(next.notify);
    }
    settings_.router.priority = r.priority;
    settings_.router.preempt = r.preempt;
    settings_.router.preempt_delay = r.preempt_delay;
    settings_.notify = next.notify;
    settings_.coupling = next.coupling;
    if (coupling_->on_settings(next.coupling, now)) apply_verdict(now);
    arm(coupling_timer_, coupling_->next_deadline(), &Impl::on_coupling_timer);
    publish_status();
}

// --- actions out of the router ---------------------------------------------------------------

void VipSpeaker::Impl::apply(const vrrp::Actions& actions, TimePoint now) {
    for (const auto& action : actions) {
        std::visit(
            Overloaded{
                [&](const vrrp::StateChanged& s) {
                    ++transitions_;
                    last_transition_ = std::string(vrrp::to_string(s.from)) + "->" +
                                       std::string(vrrp::to_string(s.to));
                    last_transition_reason_ = std::string(vrrp::to_string(s.reason));
                    last_transition_unix_ms_ = unix_ms_now();
                    const auto master = router_->master_address();
                    spdlog::info(
                        "vip: {} -> {} ({}), priority {}{}", vrrp::to_string(s.from),
                        vrrp::to_string(s.to), vrrp::to_string(s.reason), router_->priority(),
                        master && s.to == vrrp::State::backup ? ", master " + master->to_string()
                                                              : std::string());
                    if (notifier_) {
                        notifier_->notify(notify_state(s.to), settings_.router.vrid,
                                          vip_.address.to_string());
                    }
                    if (s.to == vrrp::State::master && settings_.garp_refresh.count() > 0) {
                        arm(refresh_timer_, now + settings_.garp_refresh, &Impl::on_refresh_timer);
                    } else if (s.to != vrrp::State::master) {
                        arm(refresh_timer_, std::nullopt, &Impl::on_refresh_timer);
                    }
                },
                [&](const vrrp::SendAdvert& a) { send_advert(a.priority); },
                [&](const vrrp::AddVip&) { add_vip(); },
                [&](const vrrp::RemoveVip&) { remove_vip(false); },
                [&](const vrrp::SendGratuitousArp& g) { send_garp(g.count); },
                [&](const vrrp::SetTimer& t) {
                    arm(router_timer_, t.when, &Impl::on_router_timer);
                },
                [&](const vrrp::CancelTimer&) {
                    arm(router_timer_, std::nullopt, &Impl::on_router_timer);
                },
                [&](const vrrp::Discarded& d) {
                    ++adverts_discarded_;
                    spdlog::trace("vip: advert discarded ({})", vrrp::to_string(d.reason));
                },
                [&](const vrrp::Misconfigured& m) {
                    if (misconfig_log_.allow(now)) {
                        spdlog::warn(
                            "vip: {} from {}: another router claims this VRID while we "
                            "own the address (priority 255); check the peers' config",
                            vrrp::to_string(m.what), m.source.to_string());
                    }
                },
            },
            action);
    }
}

void VipSpeaker::Impl::send_advert(std::uint8_t priority) {
    if (!socket_) return;
    const auto& r = settings_.router;
    const auto group = vrrp::vrrp_multicast_group(vrrp::Family::ipv4);
    const std::span<const vrrp::IpAddress> destinations =
        r.unicast_peers.empty() ? std::span<const vrrp::IpAddress>(&group, 1)
                                : std::span<const vrrp::IpAddress>(r.unicast_peers);
    const auto size = vrrp::advert_size(r.version, vrrp::Family::ipv4, r.addresses.size());
    for (const auto& destination : destinations) {
        send_buf_.clear();
        // v3 checksums cover the destination: one advert per peer.
        if (!vrrp::build_ipv4_header(send_buf_, self_, destination, size, ++ip_id_) ||
            !vrrp::build_advert(send_buf_, r, priority, self_, destination)) {
            ++send_errors_;
            spdlog::error("vip: cannot build an advert to {}", destination.to_string());
            continue;
        }
        if (const int error = socket_->send(send_buf_, destination); error != 0) {
            ++send_errors_;
            if (send_log_.allow(Clock::now())) {
                spdlog::warn("vip: sending an advert to {} failed: {}", destination.to_string(),
                             std::strerror(error));
            }
            continue;
        }
        ++adverts_sent_;
    }
}

void VipSpeaker::Impl::add_vip() {
    try {
        if (!netlink_->add_address(ifindex_, vip_.address, vip_.prefix_length)) {
            spdlog::warn("vip: {} was already on {}", vip_.to_string(), settings_.router.interface);
        }
        holds_vip_ = true;
        spdlog::info("vip: added {} to {}", vip_.to_string(), settings_.router.interface);
    } catch (const std::exception& e) {
        spdlog::error("vip: cannot add {} to {}: {}", vip_.to_string(), settings_.router.interface,
                      e.what());
    }
}

void VipSpeaker::Impl::remove_vip(bool quiet) {
    if (!netlink_) return;
    try {
        const bool removed = netlink_->remove_address(ifindex_, vip_.address, vip_.prefix_length);
        holds_vip_ = false;
        if (removed || !quiet) {
            spdlog::info("vip: removed {} from {}", vip_.to_string(), settings_.router.interface);
        }
    } catch (const std::exception& e) {
        spdlog::error("vip: cannot remove {} from {}: {}", vip_.to_string(),
                      settings_.router.interface, e.what());
    }
}

void VipSpeaker::Impl::send_garp(unsigned count) {
    if (!settings_.garp_enabled || !garp_) return;
    garps_sent_ += garp_->send(vip_.address, count);
}

// --- receiving ----------------------------------------------------------------------------

void VipSpeaker::Impl::drain_adverts() {
    if (!socket_) return;
    for (int i = 0; i < kReceiveBatch && !stopped_; ++i) {
        const auto datagram = socket_->receive();
        if (!datagram) return;
        process_datagram(*datagram);
    }
}

void VipSpeaker::Impl::process_datagram(std::span<const std::byte> datagram) {
    const auto& r = settings_.router;
    const auto result = vrrp::receive_ipv4_datagram(datagram, r);
    std::optional<std::string_view> dropped;
    if (!result.ok()) {
        drops_.count(*result.error);
        dropped = vrrp::to_string(*result.error);
    } else if (const auto filtered = filter_advert(result.info, r, self_)) {
        drops_.count(*filtered);
        dropped = to_string(*filtered);
    }
    if (dropped) {
        // Another VRID on the segment is normal; everything else is worth a (limited) line.
        if (result.error != vrrp::AdvertError::wrong_vrid && drop_log_.allow(Clock::now())) {
            spdlog::warn("vip: dropped a packet from {} ({}); {} more dropped since the last line",
                         result.info.source.to_string(), *dropped, drop_log_.take_suppressed());
        }
        publish_status();
        return;
    }
    ++adverts_received_;
    handle(vrrp::AdvertReceived::from(result.advert, result.info.source));
}

void VipSpeaker::Impl::wait_vrrp() {
    vrrp_wait_.async_wait(
        asio::posix::stream_descriptor::wait_read,
        asio::bind_executor(strand_, [self = shared_from_this()](boost::system::error_code ec) {
            if (ec || self->stopped_) return;
            self->drain_adverts();
            self->wait_vrrp();
        }));
}

void VipSpeaker::Impl::wait_link() {
    link_wait_.async_wait(
        asio::posix::stream_descriptor::wait_read,
        asio::bind_executor(strand_, [self = shared_from_this()](boost::system::error_code ec) {
            if (ec || self->stopped_) return;
            self->on_link_readable();
            self->wait_link();
        }));
}

void VipSpeaker::Impl::on_link_readable() {
    auto drained = link_events_->drain(ifindex_);
    const auto now = Clock::now();
    if (drained.overrun && !drained.removed) {
        try {
            drained.latest = netlink_->link(ifindex_);
            if (!drained.latest) drained.removed = true;
        } catch (const std::exception& e) {
            spdlog::warn("vip: cannot re-read {}: {}", settings_.router.interface, e.what());
        }
    }
    bool up = true;
    if (drained.removed) {
        spdlog::error("vip: interface {} was removed; restart pgfront once it is back",
                      settings_.router.interface);
        up = false;
    } else if (drained.latest) {
        up = drained.latest->usable();
    } else {
        return;
    }
    if (coupling_->on_interface(up, now)) {
        spdlog::warn("vip: interface {} is {}", settings_.router.interface, up ? "up" : "down");
        apply_verdict(now);
    }
}

// --- timers -----------------------------------------------------------------------------

void VipSpeaker::Impl::arm(Deadline& d, std::optional<TimePoint> when, void (Impl::*fired)()) {
    if (d.when == when) return;
    d.when = when;
    const auto generation = ++d.generation;
    if (!when) {
        d.timer.cancel();
        return;
    }
    d.timer.expires_at(*when);
    d.timer.async_wait(asio::bind_executor(
        strand_, [self = shared_from_this(), &d, generation, fired](boost::system::error_code ec) {
            if (ec || self->stopped_ || generation != d.generation) return;
            d.when.reset();
            ((*self).*fired)();
        }));
}

void VipSpeaker::Impl::on_router_timer() {
    // After a stall, a live Master's queued adverts must count before Master_Down_Timer does.
    drain_adverts();
    handle(vrrp::TimerFired{});
}

void VipSpeaker::Impl::on_coupling_timer() {
    const auto now = Clock::now();
    if (coupling_->on_timer(now)) apply_verdict(now);
    arm(coupling_timer_, coupling_->next_deadline(), &Impl::on_coupling_timer);
}

void VipSpeaker::Impl::on_refresh_timer() {
    if (router_->state() != vrrp::State::master) return;
    send_garp(1);
    arm(refresh_timer_, Clock::now() + settings_.garp_refresh, &Impl::on_refresh_timer);
    publish_status();
}

// --- status -------------------------------------------------------------------------------

VipStatus VipSpeaker::Impl::make_status() const {
    const auto& r = settings_.router;
    VipStatus s;
    s.interface = r.interface;
    s.address = vip_.to_string();
    s.vrid = r.vrid;
    s.version = static_cast<int>(r.version);
    s.advert_interval_ms = r.advert_interval.count();
    s.configured_priority = r.priority;
    s.preempt = r.preempt;
    s.primary_address = started_ ? self_.to_string() : "";
    s.state = router_ ? std::string(vrrp::to_string(router_->state())) : "initialize";
    s.effective_priority = router_ ? router_->priority() : r.priority;
    if (router_) {
        s.preempt = router_->preempt();
        s.master_adver_interval_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(router_->master_adver_interval())
                .count();
        if (const auto m = router_->master_address()) s.master_address = m->to_string();
        if (const auto p = router_->master_priority()) s.master_priority = *p;
    }
    if (coupling_) s.failed_conditions = coupling_->verdict().conditions;
    s.holds_vip = holds_vip_;
    s.transitions = transitions_;
    s.last_transition = last_transition_;
    s.last_transition_reason = last_transition_reason_;
    s.last_transition_unix_ms = last_transition_unix_ms_;
    s.adverts_sent = adverts_sent_;
    s.adverts_received = adverts_received_;
    s.adverts_discarded = adverts_discarded_;
    s.gratuitous_arps_sent = garps_sent_;
    s.send_errors = send_errors_;
    s.dropped_total = drops_.total();
    for (std::size_t i = 0; i < drops_.advert.size(); ++i) {
        const auto error = static_cast<vrrp::AdvertError>(i);
        s.dropped.emplace_back(std::string(vrrp::to_string(error)), drops_.advert[i]);
    }
    for (std::size_t i = 0; i < drops_.filter.size(); ++i) {
        const auto drop = static_cast<FilterDrop>(i);
        s.dropped.emplace_back(std::string(to_string(drop)), drops_.filter[i]);
    }
    return s;
}

void VipSpeaker::Impl::publish_status() {
    auto next = make_status();
    std::lock_guard lock(status_mutex_);
    status_ = std::move(next);
}

// --- the public face ------------------------------------------------------------------------

VipSpeaker::VipSpeaker(const asio::any_io_executor& executor, SpeakerSettings settings)
    : impl_(std::make_shared<Impl>(executor, std::move(settings))) {}

VipSpeaker::~VipSpeaker() {
    try {
        shutdown("pgfront is stopping");
    } catch (const std::exception& e) {
        spdlog::error("vip: shutdown failed: {}", e.what());
    }
}

void VipSpeaker::start() {
    impl_->start();
}

void VipSpeaker::on_topology(const health::TopologyPtr& topology) {
    const bool has_primary = topology && topology->primary() != nullptr;
    asio::post(impl_->strand(), [impl = impl_, has_primary] { impl->on_topology(has_primary); });
}

void VipSpeaker::set_listeners_up(bool up) {
    asio::post(impl_->strand(), [impl = impl_, up] { impl->set_listeners_up(up); });
}

void VipSpeaker::reconfigure(SpeakerSettings settings) {
    asio::post(impl_->strand(), [impl = impl_, s = std::move(settings)] { impl->reconfigure(s); });
}

void VipSpeaker::shutdown(std::string_view why) {
    impl_->shutdown(why);
}

VipStatus VipSpeaker::status() const {
    return impl_->status();
}

}  // namespace pgfront::vip
