#include <doctest/doctest.h>

#include "pool/parameter_set_cache.hpp"

using namespace pgfront::pool;

namespace {
Parameters utc_set(std::string application_name) {
    return {{"DateStyle", "ISO, MDY"}, {"TimeZone", "UTC"}, {"application_name", std::move(application_name)}};
}
}  // namespace

TEST_CASE("equal sets are one shared object; a different value makes another") {
    ParameterSetCache cache;
    const auto a = cache.intern(utc_set("app"));
    const auto b = cache.intern(utc_set("app"));
    const auto c = cache.intern(utc_set("batch"));
    CHECK(a.get() == b.get());
    CHECK(a.get() != c.get());
    CHECK(*c == utc_set("batch"));
    CHECK(cache.size() == 2);
}

TEST_CASE("a full cache evicts a set nobody uses before one in use") {
    ParameterSetCache cache(2);
    const auto kept = cache.intern(utc_set("kept"));
    cache.intern(utc_set("dropped"));  // nobody holds it
    const auto third = cache.intern(utc_set("third"));
    CHECK(cache.size() == 2);
    CHECK(cache.intern(utc_set("kept")).get() == kept.get());
    CHECK(cache.intern(utc_set("third")).get() == third.get());
}

TEST_CASE("when every set is in use the least recently used one leaves the cache, not its holders") {
    ParameterSetCache cache(2);
    const auto first = cache.intern(utc_set("first"));
    const auto second = cache.intern(utc_set("second"));
    cache.intern(utc_set("first"));  // first is now the most recently used
    const auto third = cache.intern(utc_set("third"));
    CHECK(cache.size() == 2);
    CHECK(*second == utc_set("second"));  // its holder keeps it
    CHECK(cache.intern(utc_set("second")).get() != second.get());  // but it is no longer shared
    CHECK(cache.intern(utc_set("third")).get() == third.get());
}
