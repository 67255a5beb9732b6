// proxyctl's --timeout durations: what parses, what does not, and the spelling back.
#include <doctest/doctest.h>

#include "app/proxyctl_duration.hpp"

using pgfront::proxyctl::format_duration;
using pgfront::proxyctl::parse_duration;
using namespace std::chrono_literals;

TEST_CASE("durations: one unit each") {
    CHECK(parse_duration("500ms") == 500ms);
    CHECK(parse_duration("30s") == 30s);
    CHECK(parse_duration("5m") == 5min);
    CHECK(parse_duration("1h") == 1h);
    CHECK(parse_duration("0s") == 0ms);
    CHECK(parse_duration("0") == 0ms);
    CHECK(parse_duration("007s") == 7s);
}

TEST_CASE("durations: parts add up") {
    CHECK(parse_duration("1m30s") == 90s);
    CHECK(parse_duration("1h2m3s4ms") == 1h + 2min + 3s + 4ms);
    CHECK(parse_duration("2s500ms") == 2500ms);
}

TEST_CASE("durations: malformed ones are refused, not guessed") {
    for (const char* bad : {"", "5", "30", "s", "ms", "5x", "5 s", " 5s", "5s ", "-5s", "+5s", "1.5s", "5sec",
                            "5min", "5S", "1d", "m5", "5m3", "0x10s", "1e3ms"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_duration(bad));
    }
}

TEST_CASE("durations: absurdly long ones are refused instead of overflowing") {
    CHECK(parse_duration("87000h") == 87000h);
    CHECK_FALSE(parse_duration("999999999999h"));
    CHECK_FALSE(parse_duration("9999999999999ms"));  // 13 digits
    CHECK_FALSE(parse_duration("80000h80000h"));
}

TEST_CASE("durations: spelled back exactly") {
    CHECK(format_duration(0ms) == "0s");
    CHECK(format_duration(500ms) == "500ms");
    CHECK(format_duration(1500ms) == "1500ms");
    CHECK(format_duration(30s) == "30s");
    CHECK(format_duration(5min) == "5m");
    CHECK(format_duration(90s) == "1m30s");
    CHECK(format_duration(1h + 1s) == "1h1s");
    for (std::chrono::milliseconds d : {1ms, 999ms, 1000ms, 61000ms, 3600000ms, 3661000ms, 86400000ms}) CHECK(parse_duration(format_duration(d)) == d);
}
