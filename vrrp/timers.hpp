// The clock types and the timer formulas of RFC 5798 §6.1 that every virtual router uses.
#pragma once

#include <chrono>
#include <cstdint>

namespace pgfront::vrrp {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
// Microseconds keep Skew_Time exact enough: (256 − 100) × 1 s / 256 = 609375 µs.
using Interval = std::chrono::microseconds;

// RFC 5798 §6.1: Skew_Time = ((256 − Priority) × Master_Adver_Interval) / 256, with the
// local priority. Used for v2 as well, with the configured interval as
// Master_Adver_Interval (as keepalived does); RFC 3768 §6.1 writes (256 − Priority) / 256
// seconds, which is the same at v2's default interval of 1 s.
constexpr Interval skew_time(std::uint8_t priority, Interval master_adver_interval) {
    return Interval((256 - static_cast<Interval::rep>(priority)) * master_adver_interval.count() /
                    256);
}

// RFC 5798 §6.1: Master_Down_Interval = 3 × Master_Adver_Interval + Skew_Time.
constexpr Interval master_down_interval(std::uint8_t priority, Interval master_adver_interval) {
    return 3 * master_adver_interval + skew_time(priority, master_adver_interval);
}

}  // namespace pgfront::vrrp
