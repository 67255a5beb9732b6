// Fuzz target for VirtualRouter: random settings and a random stream of events at random
// times. Never crashes, and the actions keep the speaker consistent: the VIP is held
// exactly in Master, the reported timer always equals next_deadline(), and every
// StateChanged starts from the state the router was in.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <variant>

#include "vrrp/virtual_router.hpp"

using namespace pgfront::vrrp;

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

class Input {
  public:
    Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    bool empty() const { return at_ >= size_; }
    std::uint8_t next() { return at_ < size_ ? data_[at_++] : 0; }

  private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t at_ = 0;
};

RouterSettings settings_from(Input& in) {
    RouterSettings s;
    s.interface = "eth0";
    s.addresses = {*VirtualAddress::parse("198.18.0.100/24")};
    s.vrid = 51;
    const std::uint8_t knobs = in.next();
    s.version = (knobs & 1) ? Version::v2 : Version::v3;
    s.priority = static_cast<std::uint8_t>(std::max(1, static_cast<int>(in.next())));
    s.advert_interval = s.version == Version::v2
                            ? std::chrono::milliseconds(1000 * (1 + in.next() % 3))
                            : std::chrono::milliseconds(10 * (1 + in.next() % 200));
    s.preempt = (knobs & 2) != 0;
    s.preempt_delay = std::chrono::milliseconds((knobs & 4) ? 100 * in.next() : 0);
    s.garp_master_delay = std::chrono::milliseconds((knobs & 8) ? 50 * in.next() : 0);
    s.garp_master_repeat = 1 + in.next() % 5;
    s.lower_prio_no_advert = (knobs & 16) != 0;
    return s;
}

Event event_from(Input& in, const VirtualRouter& router) {
    const std::uint8_t kind = in.next() % 8;
    switch (kind) {
        case 0:
            return Startup{};
        case 1:
            return (in.next() % 8 == 0) ? Event{Shutdown{}} : Event{TimerFired{}};
        case 2:
            return TimerFired{};
        case 3:
            return PriorityChanged{in.next()};
        case 4:
            return FaultChanged{(in.next() & 1) != 0};
        case 5:
            return PreemptChanged{(in.next() & 1) != 0, std::chrono::milliseconds(50 * in.next())};
        default: {
            const std::uint8_t who = in.next();
            // Sometimes our own address, sometimes just above or below it.
            const IpAddress source =
                who < 16 ? router.primary_address() : IpAddress::v4(198, 18, 0, who);
            return AdvertReceived{source, in.next(),
                                  std::chrono::milliseconds(10 * (in.next() % 64))};
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Input in(data, size);
    const RouterSettings settings = settings_from(in);
    VirtualRouter router(settings, IpAddress::v4(198, 18, 0, 128));
    TimePoint now = TimePoint{} + std::chrono::hours(1);
    bool vip = false;
    bool armed = false;  // the timer as the actions left it
    TimePoint armed_at{};

    for (int steps = 0; !in.empty() && steps < 4096; ++steps) {
        // Time only moves forward; a timer event is delivered at its deadline half the time.
        const std::uint8_t step = in.next();
        now += std::chrono::microseconds(step * step * 37);
        Event event = event_from(in, router);
        if (std::holds_alternative<TimerFired>(event) && armed && (step & 1)) {
            now = std::max(now, armed_at);
        }
        const State before = router.state();
        State expected_from = before;
        const Actions actions = router.handle(event, now);
        for (const Action& action : actions) {
            if (const auto* change = std::get_if<StateChanged>(&action)) {
                require(change->from == expected_from);
                require(change->from != change->to);
                expected_from = change->to;
            } else if (std::holds_alternative<AddVip>(action)) {
                require(!vip);
                vip = true;
            } else if (std::holds_alternative<RemoveVip>(action)) {
                require(vip);
                vip = false;
            } else if (const auto* send = std::get_if<SendAdvert>(&action)) {
                require(send->priority == router.priority() || send->priority == 0);
            } else if (const auto* set = std::get_if<SetTimer>(&action)) {
                armed = true;
                armed_at = set->when;
            } else if (std::holds_alternative<CancelTimer>(action)) {
                armed = false;
            }
        }
        require(expected_from == router.state());
        require(vip == (router.state() == State::master));
        const std::optional<TimePoint> deadline = router.next_deadline();
        require(armed == deadline.has_value());
        require(!armed || armed_at == deadline.value_or(TimePoint{}));
        const bool timed = router.state() == State::master || router.state() == State::backup;
        require(timed == armed);
        require(router.priority() >= 1);
    }
    return 0;
}
