// $NOTIFY_SOCKET and $WATCHDOG_USEC parsing (the datagrams themselves: tests/e2e/test_sd_notify.py).
#include <doctest/doctest.h>

#include "app/systemd_notify.hpp"

using pgfront::app::parse_notify_socket;
using pgfront::app::parse_watchdog_usec;
using namespace std::chrono_literals;

TEST_CASE("NOTIFY_SOCKET: absolute paths and abstract names") {
    std::string error;
    auto path = parse_notify_socket("/run/systemd/notify", error);
    REQUIRE(path);
    CHECK(error.empty());
    CHECK(path->name == "/run/systemd/notify");
    CHECK_FALSE(path->abstract);

    auto abstract = parse_notify_socket("@/org/freedesktop/systemd1/notify/123", error);
    REQUIRE(abstract);
    CHECK(abstract->abstract);
    CHECK(abstract->name == "/org/freedesktop/systemd1/notify/123");
}

TEST_CASE("NOTIFY_SOCKET: unset is not an error, unusable values are") {
    std::string error;
    CHECK_FALSE(parse_notify_socket("", error));
    CHECK(error.empty());

    CHECK_FALSE(parse_notify_socket("relative/notify", error));
    CHECK(error.find("neither an absolute path") != std::string::npos);

    CHECK_FALSE(parse_notify_socket("vsock:2:1234", error));
    CHECK_FALSE(error.empty());

    CHECK_FALSE(parse_notify_socket("@", error));
    CHECK(error.find("does not fit") != std::string::npos);

    // sun_path holds 108 bytes: 107 characters and the NUL fit, 108 do not.
    CHECK(parse_notify_socket("/" + std::string(106, 'a'), error));
    CHECK_FALSE(parse_notify_socket("/" + std::string(107, 'a'), error));
    CHECK(parse_notify_socket("@" + std::string(107, 'a'), error));
    CHECK_FALSE(parse_notify_socket("@" + std::string(108, 'a'), error));
}

TEST_CASE("WATCHDOG_USEC: for this process only, positive integers only") {
    CHECK(parse_watchdog_usec("10000000", nullptr, 42) == std::chrono::microseconds(10s));
    CHECK(parse_watchdog_usec("500000", "42", 42) == std::chrono::microseconds(500ms));
    CHECK_FALSE(parse_watchdog_usec("500000", "43", 42));  // meant for another process
    CHECK_FALSE(parse_watchdog_usec("500000", "4x", 42));
    CHECK_FALSE(parse_watchdog_usec(nullptr, nullptr, 42));
    CHECK_FALSE(parse_watchdog_usec("", nullptr, 42));
    CHECK_FALSE(parse_watchdog_usec("0", nullptr, 42));
    CHECK_FALSE(parse_watchdog_usec("-5", nullptr, 42));
    CHECK_FALSE(parse_watchdog_usec("10s", nullptr, 42));
    CHECK(parse_watchdog_usec("1", "", 42) == std::chrono::microseconds(1));
}
