// DurationHistogram: which bucket a value lands in (bounds are inclusive upper limits, as
// Prometheus's "le"), the +Inf bucket, odd inputs, and merging copies from several threads.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "metrics/duration_histogram.hpp"

using pgfront::metrics::DurationHistogram;

TEST_CASE("a value equal to a bound counts in that bound's bucket") {
    DurationHistogram h;
    h.observe(0.001);
    CHECK(h.buckets()[3] == 1);  // le=0.001
    CHECK(h.buckets()[2] == 0);
    CHECK(h.count() == 1);
    CHECK(h.sum() == doctest::Approx(0.001));
}

TEST_CASE("values above the last bound go to +Inf; below the first to the first bucket") {
    DurationHistogram h;
    h.observe(60);
    h.observe(0.00001);
    CHECK(h.buckets()[DurationHistogram::bounds.size()] == 1);
    CHECK(h.buckets()[0] == 1);
    CHECK(h.count() == 2);
}

TEST_CASE("negative and NaN durations count as zero, so the sum stays a number") {
    DurationHistogram h;
    h.observe(-1);
    h.observe(std::numeric_limits<double>::quiet_NaN());
    CHECK(h.buckets()[0] == 2);
    CHECK(h.sum() == 0);
    CHECK_FALSE(std::isnan(h.sum()));
}

TEST_CASE("merge adds buckets, count and sum") {
    DurationHistogram a, b;
    a.observe(0.002);
    b.observe(0.002);
    b.observe(2);
    a.merge(b);
    CHECK(a.count() == 3);
    CHECK(a.buckets()[4] == 2);   // le=0.0025
    CHECK(a.buckets()[13] == 1);  // le=5
    CHECK(a.sum() == doctest::Approx(2.004));
}
