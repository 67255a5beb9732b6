// See duration_histogram.hpp.
#include "metrics/duration_histogram.hpp"

#include <algorithm>

namespace pgfront::metrics {

void DurationHistogram::observe(double seconds) {
    if (!(seconds >= 0)) seconds = 0;  // also NaN: a clock oddity must not poison the sum
    // lower_bound: a value equal to a bound belongs to that bucket (Prometheus's "le").
    const auto bucket = std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin();
    ++counts_[static_cast<std::size_t>(bucket)];
    ++count_;
    sum_ += seconds;
}

void DurationHistogram::merge(const DurationHistogram& other) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
}

}  // namespace pgfront::metrics
