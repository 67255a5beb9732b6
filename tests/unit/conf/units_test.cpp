// Duration and size parsing, including the values users type and the ones they mistype.
#include <doctest/doctest.h>

#include "conf/units.hpp"

using namespace pgfront::conf;
using namespace std::chrono_literals;

TEST_CASE("durations") {
    std::string why;
    CHECK(parse_duration("500ms", why) == 500ms);
    CHECK(parse_duration("2s", why) == 2s);
    CHECK(parse_duration("1.5s", why) == 1500ms);
    CHECK(parse_duration("5m", why) == 5min);
    CHECK(parse_duration("1h", why) == 1h);
    CHECK(parse_duration("250", why) == 250ms);
    CHECK(parse_duration("1500us", why) == 2ms);
    CHECK_FALSE(parse_duration("", why));
    CHECK_FALSE(parse_duration("-1s", why));
    CHECK_FALSE(parse_duration("fast", why));
    CHECK_FALSE(parse_duration("2 fortnights", why));
    CHECK(why.find("unknown duration unit") != std::string::npos);
    CHECK_FALSE(parse_duration("99999999999999h", why));
}

TEST_CASE("sizes are powers of 1024 as in postgresql.conf") {
    std::string why;
    CHECK(parse_size("1MB", why) == 1048576u);
    CHECK(parse_size("64kB", why) == 65536u);
    CHECK(parse_size("1GB", why) == 1073741824u);
    CHECK(parse_size("512", why) == 512u);
    CHECK(parse_size("512B", why) == 512u);
    CHECK_FALSE(parse_size("1 MiB", why));
    CHECK_FALSE(parse_size("MB", why));
}

TEST_CASE("formatting picks the largest whole unit") {
    CHECK(format_duration(500ms) == "500ms");
    CHECK(format_duration(2s) == "2s");
    CHECK(format_duration(5min) == "5m");
    CHECK(format_size(1048576) == "1MB");
    CHECK(format_size(1000) == "1000B");
}
