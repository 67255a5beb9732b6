// A Prometheus-style histogram of durations in seconds with fixed bucket bounds. Written by one
// thread only (a worker's event loop, the health monitor's strand); readers get a copy taken
// on that thread and add copies up with merge(). No atomics, no locks.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace pgfront::metrics {

class DurationHistogram {
public:
    // Upper bounds in seconds, ascending; one more bucket holds everything above (+Inf).
    static constexpr std::array<double, 14> bounds{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                   0.025,  0.05,    0.1,    0.25,  0.5,    1.0,  5.0};

    void observe(double seconds);
    void merge(const DurationHistogram& other);

    // Per-bucket counts (not cumulative); index bounds.size() is the +Inf bucket.
    std::span<const std::uint64_t> buckets() const { return counts_; }
    std::uint64_t count() const { return count_; }
    double sum() const { return sum_; }

private:
    std::array<std::uint64_t, bounds.size() + 1> counts_{};
    std::uint64_t count_ = 0;
    double sum_ = 0;
};

}  // namespace pgfront::metrics
