// Tests for vrrp/timers.hpp: Skew_Time and Master_Down_Interval (RFC 5798 §6.1).
#include "vrrp/timers.hpp"

#include <doctest/doctest.h>

namespace pgfront::vrrp {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("Skew_Time = ((256 - priority) * Master_Adver_Interval) / 256") {
    struct Row {
        unsigned priority;
        Interval interval;
        microseconds skew;
        microseconds down;
    };
    const Row rows[] = {
        // keepalived v2 default: 1 s, priority 100 (lab: SIGTERM takeover 0.68 s,
        // SIGKILL 3.62 s).
        {100, seconds(1), microseconds(609375), microseconds(3609375)},
        // keepalived v3 at advert_int 0.1 (lab: SIGKILL takeover 0.35 s).
        {100, milliseconds(100), microseconds(60937), microseconds(360937)},
        {255, seconds(1), microseconds(3906), microseconds(3003906)},
        {254, seconds(1), microseconds(7812), microseconds(3007812)},
        {1, seconds(1), microseconds(996093), microseconds(3996093)},
        {1, milliseconds(10), microseconds(9960), microseconds(39960)},
        {128, milliseconds(40950), microseconds(20475000), microseconds(143325000)},
    };
    for (const auto& row : rows) {
        CAPTURE(row.priority);
        const auto p = static_cast<std::uint8_t>(row.priority);
        CHECK(skew_time(p, row.interval) == row.skew);
        CHECK(master_down_interval(p, row.interval) == row.down);
    }
}

TEST_CASE("a higher priority always has the shorter Master_Down_Interval") {
    for (unsigned p = 1; p < 255; ++p) {
        CHECK(master_down_interval(static_cast<std::uint8_t>(p + 1), milliseconds(10)) <
              master_down_interval(static_cast<std::uint8_t>(p), milliseconds(10)));
    }
}

static_assert(skew_time(100, seconds(1)) == microseconds(609375));

}  // namespace pgfront::vrrp
